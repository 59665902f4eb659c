using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>
/// Every path in the store, and the only place that builds one or reads one back (the walks that list blobs,
/// links and repositories). Names and digests arrive already checked
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
    // Hidden names are skipped by the default options; the walks see them and decide themselves.
    private static readonly EnumerationOptions Everything = new() { RecurseSubdirectories = true, AttributesToSkip = 0 };

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

    /// <summary>
    /// The digest whose blob is at <paramref name="path"/>, or null for any other file (a temp file, a stray): the
    /// inverse of <see cref="Blob"/>, so a file counts as a blob only where the layout would put it.
    /// </summary>
    public Digest? BlobDigestOrNull(string path)
    {
        var hex = Path.GetFileName(path);
        var algorithm = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path)));
        return !IsHidden(hex) && Digest.TryParse($"{algorithm}:{hex}", out var digest) && Blob(digest) == Path.GetFullPath(path) ? digest : null;
    }

    /// <summary>Every blob file, with its digest; files the layout would not put there are left out.</summary>
    public IEnumerable<(Digest Digest, FileInfo File)> BlobFiles() => DigestFiles(BlobsRoot, Blob);

    public IEnumerable<(Digest Digest, FileInfo File)> ManifestRevisionFiles(RepositoryName name) =>
        DigestFiles(RevisionsDirectory(name), digest => ManifestRevision(name, digest));

    public IEnumerable<(Digest Digest, FileInfo File)> LayerLinkFiles(RepositoryName name) =>
        DigestFiles(LayersDirectory(name), digest => LayerLink(name, digest));

    /// <summary>Each subject that has a referrers directory in the repository, with that directory's referrer links.</summary>
    public IEnumerable<(Digest Subject, IEnumerable<(Digest Digest, FileInfo File)> Referrers)> ReferrerFiles(RepositoryName name)
    {
        foreach (var subjectDirectory in Subdirectories(ReferrersRoot(name)).SelectMany(algorithm => algorithm.EnumerateDirectories()))
        {
            if (Digest.TryParse($"{subjectDirectory.Parent!.Name}:{subjectDirectory.Name}", out var subject)
                && ReferrersDirectory(name, subject) == subjectDirectory.FullName)
            {
                yield return (subject, DigestFiles(subjectDirectory.FullName, referrer => ReferrerLink(name, subject, referrer)));
            }
        }
    }

    /// <summary>
    /// Every repository under repositories/ for which <paramref name="holds"/> is true, in ordinal order. Names nest,
    /// so the walk goes on below a repository; underscore directories are a repository's own links and hidden ones
    /// are temp names, so neither is a name component.
    /// </summary>
    public List<RepositoryName> Repositories(Func<RepositoryName, bool> holds)
    {
        var found = new List<RepositoryName>();
        CollectRepositories(new DirectoryInfo(RepositoriesRoot), prefix: "", holds, found);
        found.Sort((a, b) => string.CompareOrdinal(a.Value, b.Value));
        return found;
    }

    /// <summary>Whether the repository holds manifests, which is what makes it one for the catalog.</summary>
    public bool HoldsManifests(RepositoryName name) => Directory.Exists(ManifestsDirectory(name));

    /// <summary>Whether the repository holds links of any kind: blobs, manifests or referrers.</summary>
    public bool HoldsLinks(RepositoryName name) =>
        Directory.Exists(LayersDirectory(name)) || HoldsManifests(name) || Directory.Exists(ReferrersRoot(name));

    public static bool IsUploadId(string value) => value.Length == 32 && value.All(char.IsAsciiHexDigitLower);

    /// <summary>
    /// The prefix of a file garbage collection has taken out of view while it judges it: a temp name, so listings
    /// pass it by, that still names the file it was, so a run that dies holding it can be undone.
    /// </summary>
    public const string SetAsidePrefix = AtomicFile.TempPrefix + "judged-";

    public static bool IsSetAside(string fileName) => fileName.StartsWith(SetAsidePrefix, StringComparison.Ordinal);

    /// <summary>True for the temp files and other hidden names that listings must not report.</summary>
    public static bool IsHidden(string fileName) => fileName.StartsWith('.');

    private static void CollectRepositories(DirectoryInfo directory, string prefix, Func<RepositoryName, bool> holds, List<RepositoryName> found)
    {
        if (!directory.Exists)
        {
            return;
        }

        foreach (var child in directory.EnumerateDirectories())
        {
            if (child.Name.StartsWith('_') || IsHidden(child.Name))
            {
                continue;
            }

            var value = prefix + child.Name;
            if (RepositoryName.TryParse(value, out var name) && holds(name))
            {
                found.Add(name);
            }

            CollectRepositories(child, value + "/", holds, found);
        }
    }

    /// <summary>
    /// Files at <c>&lt;directory&gt;/&lt;alg&gt;/[...]/&lt;hex&gt;</c> whose digest <paramref name="pathOf"/> places
    /// exactly there. Hidden names (".tmp-") are not digests and are left out.
    /// </summary>
    private static IEnumerable<(Digest Digest, FileInfo File)> DigestFiles(string directory, Func<Digest, string> pathOf)
    {
        foreach (var algorithm in Subdirectories(directory))
        {
            foreach (var file in algorithm.EnumerateFiles("*", Everything))
            {
                if (!IsHidden(file.Name) && Digest.TryParse($"{algorithm.Name}:{file.Name}", out var digest) && pathOf(digest) == file.FullName)
                {
                    yield return (digest, file);
                }
            }
        }
    }

    private static IEnumerable<DirectoryInfo> Subdirectories(string directory)
    {
        var info = new DirectoryInfo(directory);
        return info.Exists ? info.EnumerateDirectories() : [];
    }

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
