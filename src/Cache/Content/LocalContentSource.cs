using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Content;

/// <summary>A primary registry's pulls: straight from its own store.</summary>
internal sealed class LocalContentSource(ManifestStore manifests, BlobStore blobs, TagStore tags, ReferrersIndex referrers) : IContentSource
{
    public async Task<ManifestContent?> GetManifestOrNullAsync(RepositoryName name, Reference reference, CancellationToken cancellationToken) =>
        await manifests.GetOrNullAsync(name, reference, cancellationToken) is { } manifest
            ? new ManifestContent(manifest, CacheStatus.Local)
            : null;

    public async Task<BlobContent?> GetBlobOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken) =>
        await blobs.FindForDownloadOrNullAsync(name, digest, cancellationToken) is { } blob ? BlobContent.Committed(blob, CacheStatus.Local) : null;

    public Task<BlobContent?> HeadBlobOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken) =>
        GetBlobOrNullAsync(name, digest, cancellationToken);

    public Task<IReadOnlyList<Descriptor>> ListReferrersAsync(RepositoryName name, Digest subject, CancellationToken cancellationToken) =>
        referrers.ListAsync(name, subject, cancellationToken);

    public Task<TagListContent?> ListTagsOrNullAsync(RepositoryName name, CancellationToken cancellationToken) =>
        Task.FromResult(tags.ListOrNull(name) is { } all ? new TagListContent(all, CacheStatus.Local) : null);
}
