using NeonRegistry.Concurrency;
using NeonRegistry.Content;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Proxy;

/// <summary>
/// A pull-through cache's manifests, tag lists and referrers. Anything cached by digest is served without asking
/// the upstream (digests are immutable). A tag is served from the cache while it is fresh, then confirmed with one
/// HEAD, and fetched again only when it moved. Fetches are made once per process however many clients ask, and
/// when the upstream cannot answer, whatever is cached keeps being served (stale).
/// </summary>
internal sealed partial class PullThroughManifests(
    ManifestStore manifests,
    TagStore tags,
    ReferrersIndex referrers,
    ManifestSources sources,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<PullThroughManifests> logger)
{
    private readonly SingleFlight<string, ManifestContent?> _fetches = new();

    public async Task<ManifestContent?> GetOrNullAsync(UpstreamRepository upstream, RepositoryName name, Reference reference, CancellationToken cancellationToken)
    {
        var local = await manifests.GetOrNullAsync(name, reference, cancellationToken);
        var forPeer = sources.IsPeerRequest;
        if (reference.Digest is not null)
        {
            return local is not null
                ? new ManifestContent(local, CacheStatus.Hit)
                : await _fetches.RunAsync(
                    $"{name}@{reference}",
                    () => sources.AskAsync(upstream, name, reference.ToString(), forPeer, source => FetchAsync(source, name, reference.ToString(), null)),
                    cancellationToken);
        }

        var tag = reference.Tag!;
        if (local is not null && clock.GetUtcNow() - tags.ConfirmedAtOrNull(name, tag) < upstream.Options.TagFreshness)
        {
            return new ManifestContent(local, CacheStatus.Hit);
        }

        try
        {
            return await _fetches.RunAsync(
                $"{name}:{tag}",
                () => sources.AskAsync(upstream, name, tag, forPeer, source => RevalidateTagAsync(source, name, tag, local)),
                cancellationToken);
        }
        catch (RegistryException e) when (local is not null && IsUpstreamDown(e))
        {
            LogStale(logger, name.Value, tag, e.Message);
            return new ManifestContent(local, CacheStatus.Stale);
        }
    }

    public async Task<TagListContent?> ListTagsOrNullAsync(UpstreamRepository upstream, RepositoryName name, CancellationToken cancellationToken)
    {
        try
        {
            return await upstream.ListTagsOrNullAsync(cancellationToken) is { } known ? new TagListContent(known, CacheStatus.Miss) : null;
        }
        catch (RegistryException e) when (IsUpstreamDown(e) && tags.ListOrNull(name) is { } cached)
        {
            LogStale(logger, name.Value, "tags/list", e.Message);
            return new TagListContent(cached, CacheStatus.Stale);
        }
    }

    /// <summary>
    /// Referrers change as signatures and attestations are added, so the upstream is asked every time; what the
    /// cache holds is added to its answer, and is the whole answer when the upstream cannot give one.
    /// </summary>
    public async Task<IReadOnlyList<Descriptor>> ListReferrersAsync(UpstreamRepository upstream, RepositoryName name, Digest subject, CancellationToken cancellationToken)
    {
        var cached = await referrers.ListAsync(name, subject, cancellationToken);
        try
        {
            var known = await AsVerifiedAsync(upstream, () => upstream.ListReferrersAsync(subject, cancellationToken));
            return [.. known.Concat(cached).DistinctBy(d => d.Digest)];
        }
        catch (RegistryException e) when (IsUpstreamDown(e) || e.Code is OciErrorCode.NameUnknown)
        {
            LogStale(logger, name.Value, $"referrers/{subject}", e.Message);
            return cached;
        }
    }

    private async Task<ManifestContent?> RevalidateTagAsync(UpstreamRepository upstream, RepositoryName name, string tag, StoredManifest? local)
    {
        if (local is not null)
        {
            var head = await upstream.HeadTagAsync(tag, lifetime.ApplicationStopping);
            if (!head.Found)
            {
                return null;
            }

            if (head.Digest == local.Digest)
            {
                tags.MarkConfirmed(name, tag, clock.GetUtcNow());
                return new ManifestContent(local, CacheStatus.Hit);
            }
        }

        return await FetchAsync(upstream, name, tag, tag);
    }

    /// <summary>GETs a manifest by tag or digest, verifies it and stores it (moving <paramref name="tag"/> to it).</summary>
    private Task<ManifestContent?> FetchAsync(UpstreamRepository upstream, RepositoryName name, string reference, string? tag) =>
        AsVerifiedAsync(upstream, async () =>
        {
            var stopping = lifetime.ApplicationStopping;
            if (await upstream.GetManifestOrNullAsync(reference, stopping) is not { } fetched)
            {
                return null;
            }

            var expected = Digest.TryParse(reference, out var asked) ? asked : fetched.Digest ?? Digest.Compute(fetched.Content);
            var mediaType = fetched.MediaType is { } type && MediaTypes.IsSupported(type) ? type : null;
            var stored = await manifests.StoreFetchedAsync(name, expected, tag, fetched.Content, mediaType, stopping);
            LogFetched(logger, name.Value, reference, stored.Digest.ToString());
            return new ManifestContent(stored, CacheStatus.Miss);
        });

    /// <summary>
    /// Content that fails verification is the upstream's fault, never the client's: UNAVAILABLE (so cached
    /// content is served instead, where there is some), not a 400.
    /// </summary>
    private static async Task<T> AsVerifiedAsync<T>(UpstreamRepository upstream, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RegistryException e) when (e.Code is OciErrorCode.ManifestInvalid or OciErrorCode.DigestInvalid)
        {
            throw upstream.Unavailable($"sent content that failed verification ({e.Message})");
        }
    }

    private static bool IsUpstreamDown(RegistryException e) => e.Code is OciErrorCode.Unavailable or OciErrorCode.TooManyRequests;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serving cached {Repository} {Reference}: the upstream could not be asked ({Reason})")]
    private static partial void LogStale(ILogger logger, string repository, string reference, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched manifest {Repository} {Reference} ({Digest}) from the upstream")]
    private static partial void LogFetched(ILogger logger, string repository, string reference, string digest);
}
