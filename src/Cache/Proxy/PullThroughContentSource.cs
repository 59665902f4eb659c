using NeonRegistry.Content;
using NeonRegistry.Metrics;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// A pull-through cache's answers: each pull goes to the upstream its stored repository name is from
/// (<see cref="Upstreams.Resolve"/>), manifests through <see cref="PullThroughManifests"/> and blobs through
/// <see cref="PullThroughBlobs"/>, and is counted by how it was answered (hit, miss, stale) and by upstream.
/// </summary>
internal sealed class PullThroughContentSource(
    Upstreams upstreams, PullThroughManifests manifests, PullThroughBlobs blobs, CacheMetrics metrics, ILogger<PullThroughContentSource> logger) : IContentSource
{
    public async Task<ManifestContent?> GetManifestOrNullAsync(RepositoryName name, Reference reference, CancellationToken cancellationToken)
    {
        var resolved = Resolve(name);
        using var scope = Scope(resolved);
        var found = await manifests.GetOrNullAsync(resolved.Repository, name, reference, cancellationToken);
        Count("manifest", found?.Status, resolved);
        return found;
    }

    public async Task<BlobContent?> GetBlobOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken)
    {
        var resolved = Resolve(name);
        using var scope = Scope(resolved);
        var found = await blobs.GetOrNullAsync(resolved.Repository, name, digest, cancellationToken);
        Count("blob", found?.Status, resolved);
        return found;
    }

    public async Task<BlobContent?> HeadBlobOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken)
    {
        var resolved = Resolve(name);
        using var scope = Scope(resolved);
        var found = await blobs.HeadOrNullAsync(resolved.Repository, name, digest, cancellationToken);
        Count("blob", found?.Status, resolved);
        return found;
    }

    public async Task<TagListContent?> ListTagsOrNullAsync(RepositoryName name, CancellationToken cancellationToken)
    {
        var resolved = Resolve(name);
        using var scope = Scope(resolved);
        return await manifests.ListTagsOrNullAsync(resolved.Repository, name, cancellationToken);
    }

    public async Task<IReadOnlyList<Descriptor>> ListReferrersAsync(RepositoryName name, Digest subject, CancellationToken cancellationToken)
    {
        var resolved = Resolve(name);
        using var scope = Scope(resolved);
        return await manifests.ListReferrersAsync(resolved.Repository, name, subject, cancellationToken);
    }

    // Every event logged on the way, a fill's included (it starts inside the scope), names the upstream.
    private IDisposable? Scope(ResolvedRepository resolved) =>
        logger.BeginScope(new KeyValuePair<string, object>[] { new("Upstream", resolved.Upstream.Options.Name) });

    /// <exception cref="RegistryException">NAME_UNKNOWN: no upstream serves the name (the upstreams file changed since the request was routed).</exception>
    private ResolvedRepository Resolve(RepositoryName name) =>
        upstreams.Resolve(name) ?? throw new RegistryException(OciErrorCode.NameUnknown, $"no upstream of this cache serves '{name}'");

    private void Count(string kind, CacheStatus? status, ResolvedRepository resolved)
    {
        if (status is { } answered)
        {
            metrics.Answered(kind, answered, resolved.Upstream.Options.Name);
        }
    }
}
