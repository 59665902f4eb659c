using NeonRegistry.Content;
using NeonRegistry.Metrics;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// A pull-through cache's answers: each pull goes to the upstream that serves its repository, manifests through
/// <see cref="PullThroughManifests"/> and blobs through <see cref="PullThroughBlobs"/>, and is counted by how it
/// was answered (hit, miss, stale).
/// </summary>
internal sealed class PullThroughContentSource(
    Upstream upstream, PullThroughManifests manifests, PullThroughBlobs blobs, CacheMetrics metrics) : IContentSource
{
    public async Task<ManifestContent?> GetManifestOrNullAsync(RepositoryName name, Reference reference, CancellationToken cancellationToken)
    {
        var found = await manifests.GetOrNullAsync(upstream.Repository(name), name, reference, cancellationToken);
        Count("manifest", found?.Status);
        return found;
    }

    public async Task<BlobContent?> GetBlobOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken)
    {
        var found = await blobs.GetOrNullAsync(upstream.Repository(name), name, digest, cancellationToken);
        Count("blob", found?.Status);
        return found;
    }

    public async Task<BlobContent?> HeadBlobOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken)
    {
        var found = await blobs.HeadOrNullAsync(upstream.Repository(name), name, digest, cancellationToken);
        Count("blob", found?.Status);
        return found;
    }

    public Task<TagListContent?> ListTagsOrNullAsync(RepositoryName name, CancellationToken cancellationToken) =>
        manifests.ListTagsOrNullAsync(upstream.Repository(name), name, cancellationToken);

    public Task<IReadOnlyList<Descriptor>> ListReferrersAsync(RepositoryName name, Digest subject, CancellationToken cancellationToken) =>
        manifests.ListReferrersAsync(upstream.Repository(name), name, subject, cancellationToken);

    private void Count(string kind, CacheStatus? status)
    {
        if (status is { } answered)
        {
            metrics.Answered(kind, answered);
        }
    }
}
