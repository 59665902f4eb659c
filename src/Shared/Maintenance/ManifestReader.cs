using System.Security.Cryptography;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Maintenance;

/// <summary>
/// Reads manifests for a maintenance run, each at most once. A manifest is trusted only when its bytes still hash
/// to its digest: a corrupt one that happened to parse could name the wrong layers and so cause the wrong deletes.
/// </summary>
internal sealed class ManifestReader(StorageLayout layout)
{
    // Keyed with the media type too: content without its own mediaType field parses only with the pushed one.
    private readonly Dictionary<(Digest, string?), ManifestDocument?> _documents = [];

    /// <summary>The parsed manifest; null when its content is missing, corrupt, too large or not a manifest.</summary>
    /// <param name="mediaType">The type it was pushed as (a revision's, or a descriptor's); the content's own field wins.</param>
    public async Task<ManifestDocument?> ReadOrNullAsync(Digest digest, string? mediaType, CancellationToken cancellationToken)
    {
        if (!_documents.TryGetValue((digest, mediaType), out var document))
        {
            document = await LoadOrNullAsync(digest, mediaType, cancellationToken);
            _documents[(digest, mediaType)] = document;
        }

        return document;
    }

    /// <summary>True when the store holds no content at all under the digest, as opposed to content that does not read.</summary>
    public bool IsMissing(Digest digest) => !File.Exists(layout.Blob(digest));

    /// <summary>The media type a repository's revision records, or null when the revision is gone.</summary>
    public async Task<string?> RevisionMediaTypeOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken)
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

    private async Task<ManifestDocument?> LoadOrNullAsync(Digest digest, string? mediaType, CancellationToken cancellationToken)
    {
        var file = new FileInfo(layout.Blob(digest));
        if (!file.Exists || file.Length > ManifestStore.MaxContentLength)
        {
            return null;
        }

        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var hash = digest.Algorithm == Digest.Sha512 ? SHA512.HashData(content) : SHA256.HashData(content);
        if (Digest.FromHash(digest.Algorithm, hash) != digest)
        {
            return null;
        }

        try
        {
            return ManifestDocument.Parse(content, mediaType);
        }
        catch (RegistryException)
        {
            return null;
        }
    }
}
