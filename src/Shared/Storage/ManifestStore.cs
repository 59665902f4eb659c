using Microsoft.Extensions.Caching.Memory;
using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>
/// Manifests of a repository. The bytes go to the blob store under their digest; a revision file records that
/// the repository holds the manifest and with which media type; tags and referrers point at revisions.
/// Writes go content first, then revision, then referrer, then tag, so a crash between any two leaves nothing
/// that points at missing content.
/// </summary>
/// <remarks>
/// A revision's bytes and media type never change, so they are kept in memory once read (sized by
/// their length, within the cache's limit); whether the repository still holds the manifest, and where its tags
/// point, is checked on the store for every request, because another instance may have changed it: one stat of
/// the revision, and one of the tag file whose content <see cref="TagCache"/> holds, each shared by the requests
/// that arrived before it began (<see cref="SharedStat"/>).
/// </remarks>
public sealed class ManifestStore(StorageLayout layout, BlobStore blobs, TagStore tags, ReferrersIndex referrers, IMemoryCache cache, TimeProvider clock)
{
    private readonly FileTouch _touch = new(clock);
    private readonly SharedStat _stats = new();
    private readonly TagCache _tagCache = new(layout, tags, cache, new SharedStat());

    // A pull by digest checks the revision alone; by tag, TagCache checks tag and revision together.

    /// <summary>The largest manifest accepted; distribution uses the same bound.</summary>
    public const int MaxContentLength = 4 * 1024 * 1024;

    /// <summary>
    /// Reads a manifest body, the only kind held in memory, refusing one over <see cref="MaxContentLength"/> before
    /// reading when its length is declared and while reading when it is not.
    /// </summary>
    /// <returns>The body, or null when it is over the limit.</returns>
    public static async Task<byte[]?> ReadContentOrNullAsync(Stream body, long? declaredLength, CancellationToken cancellationToken)
    {
        if (declaredLength > MaxContentLength)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxContentLength)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The manifest a tag or digest names in the repository, or null when there is none.</summary>
    public async Task<StoredManifest?> GetOrNullAsync(RepositoryName name, Reference reference, CancellationToken cancellationToken)
    {
        Digest found;
        if (reference.Digest is { } byDigest)
        {
            found = byDigest;
            if (!await RevisionExistsAsync(name, found, cancellationToken))
            {
                return null;
            }
        }
        else if (!FileStamp.IsSupported)
        {
            if (tags.ResolveOrNull(name, reference.Tag!) is not { } resolved || !Exists(name, resolved))
            {
                return null;
            }

            found = resolved;
        }
        else if (await _tagCache.ResolveOrNullAsync(name, reference.Tag!, cancellationToken) is ({ } cached, true))
        {
            found = cached;
        }
        else
        {
            return null;
        }

        if (cache.TryGetValue(ContentKey(name, found), out StoredManifest? known))
        {
            return known;
        }

        var mediaType = await ReadRevisionOrNullAsync(name, found, cancellationToken);
        var content = await blobs.ReadOrNullAsync(found, cancellationToken);
        if (mediaType is null || content is null)
        {
            return null;
        }

        var manifest = new StoredManifest(found, mediaType, content);
        cache.Set(ContentKey(name, found), manifest, new MemoryCacheEntryOptions { Size = content.Length, SlidingExpiration = TimeSpan.FromHours(1), Priority = CacheItemPriority.Low });
        return manifest;
    }

    // Per repository: the media type a manifest was pushed with belongs to the repository's revision.
    private static string ContentKey(RepositoryName name, Digest digest) => $"manifest:{name}@{digest}";

    public bool Exists(RepositoryName name, Digest digest) => File.Exists(layout.ManifestRevision(name, digest));

    // A pull's check, with one stat shared by the pulls that arrived before it began (see SharedStat).
    private async ValueTask<bool> RevisionExistsAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken) =>
        FileStamp.IsSupported ? await _stats.StatOrNullAsync(layout.ManifestRevision(name, digest), cancellationToken) is not null : Exists(name, digest);

    /// <summary>Validates and stores a manifest, then points the tag (if the reference is one) at it.</summary>
    /// <exception cref="RegistryException">
    /// MANIFEST_INVALID, DIGEST_INVALID (content does not match a digest reference),
    /// MANIFEST_BLOB_UNKNOWN (a config, layer or child manifest the repository does not hold).
    /// </exception>
    public Task<PushedManifest> PutAsync(RepositoryName name, Reference reference, byte[] content, string? contentType, CancellationToken cancellationToken) =>
        PutAsync(name, reference, content, contentType, [], cancellationToken);

    /// <summary>
    /// Validates and stores a manifest, then points the reference's tag, or each of <paramref name="tags"/> for a
    /// push by digest (distribution-spec, next version: the <c>tag</c> query parameters of end-7b), at it.
    /// Everything is checked before anything is written, so a refused push changes nothing.
    /// </summary>
    /// <exception cref="RegistryException">
    /// As the overload; TAG_INVALID for a tag outside the grammar, or tags given with a push by tag.
    /// </exception>
    public async Task<PushedManifest> PutAsync(
        RepositoryName name, Reference reference, byte[] content, string? contentType, IReadOnlyCollection<string> tags, CancellationToken cancellationToken)
    {
        var pointing = TagsToPoint(reference, tags);
        var document = ManifestDocument.ParseIncoming(content, contentType);
        var digest = Digest.Compute(content, reference.Digest?.Algorithm ?? Digest.Sha256);
        if (reference.Digest is { } expected && expected != digest)
        {
            throw new RegistryException(
                OciErrorCode.DigestInvalid,
                $"the manifest's content has digest {digest}, not the {expected} it was pushed as",
                new Dictionary<string, string> { ["expected"] = expected.ToString(), ["actual"] = digest.ToString() });
        }

        EnsureReferencesPresent(name, document);
        await StoreAsync(name, document, digest, content, pointing, cancellationToken);
        return new PushedManifest(digest, document.Subject is { } subject ? Digest.Parse(subject.Digest) : null) { Tags = pointing };
    }

    private static IReadOnlyList<string> TagsToPoint(Reference reference, IReadOnlyCollection<string> tags)
    {
        if (tags.Count == 0)
        {
            return reference.Tag is { } tag ? [tag] : [];
        }

        if (reference.Tag is not null)
        {
            throw new RegistryException(
                OciErrorCode.TagInvalid,
                $"tag parameters go with a push by digest, not with a push to tag '{reference.Tag}'");
        }

        return [.. tags.Select(Tag.Parse).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Stores a manifest a pull-through cache fetched from its upstream. Its blobs are fetched only when pulled,
    /// so they need not be present; the digest must still match what was asked for.
    /// </summary>
    /// <exception cref="RegistryException">MANIFEST_INVALID, DIGEST_INVALID.</exception>
    public async Task<StoredManifest> StoreFetchedAsync(RepositoryName name, Digest expected, string? tag, byte[] content, string? mediaType, CancellationToken cancellationToken)
    {
        var document = ManifestDocument.ParseIncoming(content, mediaType);
        var actual = Digest.Compute(content, expected.Algorithm);
        if (actual != expected)
        {
            throw new RegistryException(OciErrorCode.DigestInvalid, $"the upstream sent a manifest with digest {actual} for {expected}");
        }

        await StoreAsync(name, document, actual, content, tag is null ? [] : [tag], cancellationToken);
        return new StoredManifest(actual, document.MediaType, content);
    }

    /// <summary>
    /// Deletes a tag, or a manifest by digest together with the tags that point at it and its referrers entry.
    /// </summary>
    /// <returns>False when there was nothing to delete.</returns>
    public async Task<bool> DeleteAsync(RepositoryName name, Reference reference, CancellationToken cancellationToken)
    {
        if (reference.Tag is { } tag)
        {
            return tags.Delete(name, tag);
        }

        var digest = reference.Digest!.Value;
        var stored = await GetOrNullAsync(name, reference, cancellationToken);
        if (stored is null)
        {
            return false;
        }

        var document = ManifestDocument.Parse(stored.Content, stored.MediaType);
        foreach (var pointing in tags.FindPointingAt(name, digest))
        {
            tags.Delete(name, pointing);
        }

        if (document.Subject is { } subject)
        {
            referrers.Remove(name, Digest.Parse(subject.Digest), digest);
        }

        File.Delete(layout.ManifestRevision(name, digest));

        // Another instance may have pushed this manifest again under a new tag meanwhile, its revision before our
        // delete and its tag after our look at the tags: that push wins, as if it came after the delete. With the
        // push's own check (StoreAsync), one of the two always sees the other.
        if (tags.FindPointingAt(name, digest).Count > 0)
        {
            await WriteRevisionAsync(name, document, digest, stored.Content.Length, cancellationToken);
        }

        return true;
    }

    private async Task StoreAsync(RepositoryName name, ManifestDocument document, Digest digest, byte[] content, IReadOnlyList<string> tagsToPoint, CancellationToken cancellationToken)
    {
        await blobs.PutAsync(digest, content, cancellationToken);
        await WriteRevisionAsync(name, document, digest, content.Length, cancellationToken);
        foreach (var tag in tagsToPoint)
        {
            await tags.SetAsync(name, tag, digest, cancellationToken);

            // A delete of this digest on another instance may have removed the revision between the two writes
            // and missed the tag: the tag must not name nothing. When it took the tag too, it came after this push.
            if (!File.Exists(layout.ManifestRevision(name, digest)) && tags.ResolveOrNull(name, tag) == digest)
            {
                await WriteRevisionAsync(name, document, digest, content.Length, cancellationToken);
            }
        }
    }

    /// <summary>The revision that makes the manifest part of the repository, and its referrers entry.</summary>
    private async Task WriteRevisionAsync(RepositoryName name, ManifestDocument document, Digest digest, long length, CancellationToken cancellationToken)
    {
        await AtomicFile.WriteTextAsync(layout.ManifestRevision(name, digest), document.MediaType, cancellationToken);
        if (document.Subject is { } subject)
        {
            var self = new Descriptor(document.MediaType, digest.ToString(), length)
            {
                ArtifactType = document.ArtifactType,
                Annotations = document.Annotations,
            };
            await referrers.AddAsync(name, Digest.Parse(subject.Digest), self, cancellationToken);
        }
    }

    private void EnsureReferencesPresent(RepositoryName name, ManifestDocument document)
    {
        foreach (var descriptor in document.References())
        {
            var digest = Digest.Parse(descriptor.Digest);

            // Touching what the manifest names renews its age, so a garbage collection running meanwhile (whose
            // mark may predate this manifest) finds it too recent to delete.
            blobs.Touch(digest);
            var present = document.IsIndex ? TouchRevision(name, digest) : blobs.FindOrNull(name, digest) is not null;
            if (!present)
            {
                var what = document.IsIndex ? "child manifest" : "blob";
                throw new RegistryException(
                    OciErrorCode.ManifestBlobUnknown,
                    $"{what} {digest} named by the manifest is not in repository '{name}': push it first",
                    new Dictionary<string, string> { ["digest"] = digest.ToString() });
            }
        }
    }

    /// <returns>False when the repository does not hold the manifest.</returns>
    private bool TouchRevision(RepositoryName name, Digest digest) => _touch.TryRenew(layout.ManifestRevision(name, digest));

    private async Task<string?> ReadRevisionOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(layout.ManifestRevision(name, digest), cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
