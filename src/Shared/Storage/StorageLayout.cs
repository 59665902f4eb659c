using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>
/// Every path in the store, and the only place that builds one. Names and digests arrive already checked
/// against the spec's grammar; <see cref="Confine"/> is the last line of defence, not the first.
/// </summary>
/// <remarks>
/// <code>
/// &lt;root&gt;/
///   blobs/&lt;alg&gt;/&lt;hex[0..2]&gt;/&lt;hex&gt;                       blob content, manifests included, by digest
///   repositories/&lt;name&gt;/                               &lt;name&gt; may hold '/', so repositories nest
///     _layers/&lt;alg&gt;/&lt;hex&gt;                              empty: the blob is visible in this repository
///     _manifests/revisions/&lt;alg&gt;/&lt;hex&gt;                 the manifest's media type: it is in this repository
///     _manifests/tags/&lt;tag&gt;                            the digest the tag points at
///     _referrers/&lt;alg&gt;/&lt;subject hex&gt;/&lt;alg&gt;/&lt;hex&gt;     the referrer's descriptor (JSON)
///   uploads/&lt;id&gt;/data                                 the bytes of an unfinished upload
///   .readyz-&lt;id&gt;                                      written and deleted at once by a readiness check
///   quarantine/&lt;alg&gt;/&lt;hex&gt;                            a blob whose bytes no longer match its digest, moved aside by
///                                                      "verify --repair" so a push (or a cache fill) stores it again
/// </code>
/// Underscore-prefixed directories cannot clash with repository components, which the grammar makes start with
/// [a-z0-9]. Files are committed by rename from a ".tmp-" sibling (<see cref="AtomicFile"/>), so a listing skips
/// names that start with '.'. Everything lives on one filesystem, so an upload commits into blobs/ by rename.
/// A blob's and a revision's modification time is when it was last written or used by a push: garbage collection's
/// grace period counts from it.
/// </remarks>
public sealed class StorageLayout
{
    public StorageLayout(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string BlobsRoot => Path.Combine(Root, "blobs");

    public string RepositoriesRoot => Path.Combine(Root, "repositories");

    public string UploadsRoot => Path.Combine(Root, "uploads");

    public string QuarantineRoot => Path.Combine(Root, "quarantine");

    public string Blob(Digest digest) => Confine(BlobsRoot, digest.Algorithm, digest.Hex[..2], digest.Hex);

    public string Repository(RepositoryName name) => Confine(RepositoriesRoot, name.Value);

    public string LayerLink(RepositoryName name, Digest digest) =>
        Confine(LayersDirectory(name), digest.Algorithm, digest.Hex);

    public string LayersDirectory(RepositoryName name) => Confine(Repository(name), "_layers");

    public string ManifestsDirectory(RepositoryName name) => Confine(Repository(name), "_manifests");

    public string RevisionsDirectory(RepositoryName name) => Confine(ManifestsDirectory(name), "revisions");

    public string ManifestRevision(RepositoryName name, Digest digest) =>
        Confine(RevisionsDirectory(name), digest.Algorithm, digest.Hex);

    public string TagsDirectory(RepositoryName name) => Confine(ManifestsDirectory(name), "tags");

    public string TagLink(RepositoryName name, string tag) =>
        Tag.IsValid(tag) ? Confine(TagsDirectory(name), tag) : throw new ArgumentException($"invalid tag '{tag}'", nameof(tag));

    /// <summary>The directory holding every subject's referrers in the repository.</summary>
    public string ReferrersRoot(RepositoryName name) => Confine(Repository(name), "_referrers");

    public string ReferrersDirectory(RepositoryName name, Digest subject) =>
        Confine(ReferrersRoot(name), subject.Algorithm, subject.Hex);

    public string ReferrerLink(RepositoryName name, Digest subject, Digest referrer) =>
        Confine(ReferrersDirectory(name, subject), referrer.Algorithm, referrer.Hex);

    /// <summary>An upload's directory; the id is ours (a GUID in "N" form) but is checked again here.</summary>
    public string Upload(string uploadId) =>
        IsUploadId(uploadId) ? Confine(UploadsRoot, uploadId) : throw new ArgumentException($"invalid upload id '{uploadId}'", nameof(uploadId));

    public string UploadData(string uploadId) => Path.Combine(Upload(uploadId), "data");

    /// <summary>
    /// A file the readiness check writes and deletes to prove the store takes writes. Hidden, so no listing
    /// reports it; a fresh id per check, so instances sharing the store never touch each other's file.
    /// </summary>
    public string ReadinessProbe(Guid id) => Confine(Root, $".readyz-{id:N}");

    /// <summary>Locked by a garbage collection for its whole run; hidden, so scans pass it by.</summary>
    public string GarbageCollectionLock => Confine(Root, ".garbage-collect.lock");

    /// <summary>Where <c>verify --repair</c> moves a corrupt blob; outside blobs/, so nothing serves or collects it.</summary>
    public string QuarantinedBlob(Digest digest) => Confine(QuarantineRoot, digest.Algorithm, digest.Hex);

    public static bool IsUploadId(string value) => value.Length == 32 && value.All(char.IsAsciiHexDigitLower);

    /// <summary>
    /// The prefix of a file garbage collection has taken out of view while it judges it: a temp name, so listings
    /// pass it by, that still names the file it was, so a run that dies holding it can be undone.
    /// </summary>
    public const string SetAsidePrefix = AtomicFile.TempPrefix + "judged-";

    public static bool IsSetAside(string fileName) => fileName.StartsWith(SetAsidePrefix, StringComparison.Ordinal);

    /// <summary>True for the temp files and other hidden names that listings must not report.</summary>
    public static bool IsHidden(string fileName) => fileName.StartsWith('.');

    private static string Confine(string parent, params string[] parts)
    {
        var path = Path.GetFullPath(Path.Combine([parent, .. parts]));
        if (!path.StartsWith(parent + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"path '{path}' escapes '{parent}'");
        }

        return path;
    }
}
