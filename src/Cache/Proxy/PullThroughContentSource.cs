using System.Net;
using System.Text.Json;
using NeonRegistry.Concurrency;
using NeonRegistry.Configuration;
using NeonRegistry.Content;
using NeonRegistry.Metrics;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Proxy;

/// <summary>
/// A pull-through cache's pulls. Digests are immutable, so anything cached by digest is served without asking
/// the upstream. A tag is served from the cache while it is fresh, then confirmed with one HEAD (which Docker Hub
/// does not count against its pull limit), and fetched again only when it moved. Misses are fetched once per
/// process however many clients ask, stored in the same content-addressed layout as pushed content, and when the
/// upstream cannot answer, whatever is cached keeps being served.
/// </summary>
internal sealed partial class PullThroughContentSource(
    UpstreamOptions options,
    UpstreamClient upstream,
    ManifestStore manifests,
    BlobStore blobs,
    TagStore tags,
    ReferrersIndex referrers,
    StorageLayout layout,
    BlobFills fills,
    BlobLeases leases,
    CacheEvictor evictor,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    CacheMetrics metrics,
    ILogger<PullThroughContentSource> logger) : IContentSource
{
    private readonly SingleFlight<string, ManifestContent?> _manifestFetches = new();

    public async Task<ManifestContent?> GetManifestOrNullAsync(RepositoryName name, Reference reference, CancellationToken cancellationToken)
    {
        var found = await FindManifestOrNullAsync(name, reference, cancellationToken);
        if (found is not null)
        {
            metrics.Answered("manifest", found.Status);
        }

        return found;
    }

    public async Task<BlobContent?> GetBlobOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken)
    {
        var found = await FindBlobOrNullAsync(name, digest, cancellationToken);
        if (found is not null)
        {
            metrics.Answered("blob", found.Status);
        }

        return found;
    }

    /// <summary>
    /// A HEAD asks whether the blob exists, not for its bytes: a blob neither cached nor being fetched is answered
    /// from the upstream's HEAD, and fetched only when a GET asks for it.
    /// </summary>
    public async Task<BlobContent?> HeadBlobOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken)
    {
        if (blobs.Exists(digest) || fills.IsFilling(digest))
        {
            return await GetBlobOrNullAsync(name, digest, cancellationToken);
        }

        var path = $"blobs/{digest}";
        using var response = await AsUpstreamFaultAsync(
            () => upstream.SendAsync(HttpMethod.Head, UpstreamNames.Of(name, options), path, null, cancellationToken), cancellationToken);
        var redirected = !response.RequestMessage!.RequestUri!.AbsolutePath.EndsWith(path, StringComparison.Ordinal);
        if (redirected && response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.NotFound))
        {
            // Blob storage whose links are signed for a GET alone refuses a HEAD: only a GET can tell.
            return await GetBlobOrNullAsync(name, digest, cancellationToken);
        }

        if (!UpstreamResponses.IsFound(response, upstream, name.Value))
        {
            return null;
        }

        metrics.Answered("blob", CacheStatus.Miss);
        return BlobContent.AtUpstream(response.Content.Headers.ContentLength);
    }

    private async Task<ManifestContent?> FindManifestOrNullAsync(RepositoryName name, Reference reference, CancellationToken cancellationToken)
    {
        var local = await manifests.GetOrNullAsync(name, reference, cancellationToken);
        if (reference.Digest is not null)
        {
            return local is not null
                ? new ManifestContent(local, CacheStatus.Hit)
                : await _manifestFetches.RunAsync($"{name}@{reference}", () => FetchManifestAsync(name, reference.ToString(), null), cancellationToken);
        }

        var tag = reference.Tag!;
        if (local is not null && clock.GetUtcNow() - tags.ConfirmedAtOrNull(name, tag) < options.TagFreshness)
        {
            return new ManifestContent(local, CacheStatus.Hit);
        }

        try
        {
            return await _manifestFetches.RunAsync($"{name}:{tag}", () => RevalidateTagAsync(name, tag, local), cancellationToken);
        }
        catch (RegistryException e) when (local is not null && e.Code is OciErrorCode.Unavailable or OciErrorCode.TooManyRequests)
        {
            LogStale(logger, name.Value, tag, e.Message);
            return new ManifestContent(local, CacheStatus.Stale);
        }
    }

    private async Task<BlobContent?> FindBlobOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken)
    {
        var lease = leases.Acquire(digest);
        try
        {
            var cached = blobs.FindOrNull(name, digest);
            if (cached is null && blobs.Exists(digest))
            {
                // Fetched for another repository: the same bytes, so link rather than fetch again.
                blobs.Link(name, digest);
                cached = blobs.FindOrNull(name, digest);
            }

            if (cached is not null && TryMarkUsed(cached))
            {
                return BlobContent.Committed(cached, CacheStatus.Hit, lease);
            }

            var fill = await fills.JoinOrStartAsync(digest, () => StartFillAsync(name, digest)).WaitAsync(cancellationToken);
            if (fill is null)
            {
                lease.Dispose();
                return null;
            }

            return BlobContent.Filling(fill, lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    public async Task<TagListContent?> ListTagsOrNullAsync(RepositoryName name, CancellationToken cancellationToken)
    {
        try
        {
            return await AsUpstreamFaultAsync(() => FetchTagsAsync(name, cancellationToken), cancellationToken) is { } known
                ? new TagListContent(known, CacheStatus.Miss)
                : null;
        }
        catch (RegistryException e) when (e.Code is OciErrorCode.Unavailable or OciErrorCode.TooManyRequests && tags.ListOrNull(name) is { } cached)
        {
            LogStale(logger, name.Value, "tags/list", e.Message);
            return new TagListContent(cached, CacheStatus.Stale);
        }
    }

    /// <summary>
    /// Referrers change as signatures and attestations are added, so the upstream is asked every time; what the
    /// cache holds is added to its answer, and is the whole answer when the upstream cannot give one.
    /// </summary>
    public async Task<IReadOnlyList<Descriptor>> ListReferrersAsync(RepositoryName name, Digest subject, CancellationToken cancellationToken)
    {
        var cached = await referrers.ListAsync(name, subject, cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout + options.IdleTimeout);
        try
        {
            var known = await AsUpstreamFaultAsync(
                () => UpstreamReferrers.FetchAsync(upstream, UpstreamNames.Of(name, options), name.Value, subject, timeout.Token), cancellationToken);
            return [.. known.Concat(cached).DistinctBy(d => d.Digest)];
        }
        catch (RegistryException e) when (e.Code is OciErrorCode.Unavailable or OciErrorCode.TooManyRequests or OciErrorCode.NameUnknown)
        {
            LogStale(logger, name.Value, $"referrers/{subject}", e.Message);
            return cached;
        }
    }

    private Task<IReadOnlyList<string>?> FetchTagsAsync(RepositoryName name, CancellationToken cancellationToken) =>
        UpstreamTagList.FetchAsync(upstream, UpstreamNames.Of(name, options), name.Value, cancellationToken);

    private async Task<ManifestContent?> RevalidateTagAsync(RepositoryName name, string tag, StoredManifest? local)
    {
        if (local is not null)
        {
            using var head = await upstream.SendAsync(HttpMethod.Head, UpstreamNames.Of(name, options), $"manifests/{tag}", UpstreamClient.ManifestAccept, lifetime.ApplicationStopping);
            if (!UpstreamResponses.IsFound(head, upstream, name.Value))
            {
                return null;
            }

            if (DigestHeader(head) == local.Digest)
            {
                tags.MarkConfirmed(name, tag, clock.GetUtcNow());
                return new ManifestContent(local, CacheStatus.Hit);
            }
        }

        return await FetchManifestAsync(name, tag, tag);
    }

    /// <summary>GETs a manifest by tag or digest, verifies it and stores it (moving <paramref name="tag"/> to it).</summary>
    private Task<ManifestContent?> FetchManifestAsync(RepositoryName name, string reference, string? tag) =>
        AsUpstreamFaultAsync(() => FetchManifestCoreAsync(name, reference, tag), CancellationToken.None);

    private async Task<ManifestContent?> FetchManifestCoreAsync(RepositoryName name, string reference, string? tag)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        timeout.CancelAfter(options.RequestTimeout + options.IdleTimeout);
        using var response = await upstream.SendAsync(HttpMethod.Get, UpstreamNames.Of(name, options), $"manifests/{reference}", UpstreamClient.ManifestAccept, timeout.Token);
        if (!UpstreamResponses.IsFound(response, upstream, name.Value))
        {
            return null;
        }

        var content = await UpstreamResponses.ReadManifestAsync(response, upstream, timeout.Token);
        var contentType = response.Content.Headers.ContentType?.MediaType;
        var expected = Digest.TryParse(reference, out var asked) ? asked : DigestHeader(response) ?? Digest.Compute(content);
        var stored = await manifests.StoreFetchedAsync(
            name, expected, tag, content, contentType is not null && MediaTypes.IsSupported(contentType) ? contentType : null, timeout.Token);
        LogFetched(logger, name.Value, reference, stored.Digest.ToString());
        return new ManifestContent(stored, CacheStatus.Miss);
    }

    /// <summary>Asks the upstream for a blob and, when it has it, starts the fill that every requester reads from.</summary>
    private async Task<BlobIntake?> StartFillAsync(RepositoryName name, Digest digest)
    {
        var stopping = lifetime.ApplicationStopping;
        var response = await upstream.SendAsync(HttpMethod.Get, UpstreamNames.Of(name, options), $"blobs/{digest}", null, stopping);
        try
        {
            if (!UpstreamResponses.IsFound(response, upstream, name.Value))
            {
                response.Dispose();
                return null;
            }
        }
        catch
        {
            response.Dispose();
            throw;
        }

        BlobIntake fill;
        Stream body;
        try
        {
            if (response.Content.Headers.ContentLength is { } length)
            {
                evictor.MakeRoomFor(length);
            }

            // The body first: the intake creates its temp file, which nothing would delete if the body then failed.
            body = await response.Content.ReadAsStreamAsync(stopping);
            fill = BlobIntake.Begin(layout, blobs, digest, response.Content.Headers.ContentLength, "the upstream");
        }
        catch
        {
            response.Dispose();
            throw;
        }

        var started = clock.GetTimestamp();
        // Not awaited by any request: the fill outlives the client that started it, bounded by the idle timeout.
        _ = Task.Run(async () =>
        {
            using (response)
            {
                try
                {
                    await fill.TakeInAsync(body, options.IdleTimeout, committed => Commit(name, digest, committed), stopping);
                }
                catch (Exception)
                {
                    // Recorded in the intake (its readers fail with it) and logged below.
                }
            }

            LogFill(name.Value, digest, fill, clock.GetElapsedTime(started));
        });
        return fill;
    }

    /// <summary>
    /// What goes wrong while talking to the upstream is the upstream's fault, never the client's: a broken connection,
    /// a stalled or non-JSON body, or content that fails verification all become UNAVAILABLE (so cached content
    /// is served instead, where there is some), never a 400 or a 500.
    /// </summary>
    private async Task<T> AsUpstreamFaultAsync<T>(Func<Task<T>> call, CancellationToken callerToken)
    {
        try
        {
            return await call();
        }
        catch (RegistryException e) when (e.Code is OciErrorCode.ManifestInvalid or OciErrorCode.DigestInvalid)
        {
            throw upstream.Unavailable($"sent content that failed verification ({e.Message})");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException
            || (e is OperationCanceledException && !callerToken.IsCancellationRequested))
        {
            throw upstream.Unavailable($"broke off or sent a body that could not be read ({e.Message})");
        }
    }

    private void Commit(RepositoryName name, Digest digest, BlobInfo committed)
    {
        var length = committed.Size;
        // After the rename: a measure that starts in between lists the blob, one that starts after it counts it.
        evictor.NoteStored(length);
        metrics.Fetched(length);
        blobs.Link(name, digest);
        evictor.EvictIfDue();
    }

    private void LogFill(string name, Digest digest, BlobIntake fill, TimeSpan elapsed)
    {
        metrics.Filled(fill.Succeeded);
        if (fill.Succeeded)
        {
            LogFilled(logger, name, digest.ToString(), elapsed.TotalMilliseconds);
        }
        else
        {
            LogFillFailed(logger, name, digest.ToString(), fill.Failure?.Message);
        }
    }

    /// <summary>Records the use for LRU eviction; false when the blob was evicted a moment ago (then it is fetched again).</summary>
    private bool TryMarkUsed(BlobInfo blob)
    {
        try
        {
            File.SetLastAccessTimeUtc(blob.Path, clock.GetUtcNow().UtcDateTime);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A store that turned read-only or full still serves what it holds; only the eviction order suffers.
            return true;
        }
    }

    private static Digest? DigestHeader(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Docker-Content-Digest", out var values) && Digest.TryParse(values.FirstOrDefault(), out var digest) ? digest : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serving cached {Repository} {Reference}: the upstream could not be asked ({Reason})")]
    private static partial void LogStale(ILogger logger, string repository, string reference, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched manifest {Repository} {Reference} ({Digest}) from the upstream")]
    private static partial void LogFetched(ILogger logger, string repository, string reference, string digest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Filled {Repository} {Digest} from the upstream in {ElapsedMs:0} ms")]
    private static partial void LogFilled(ILogger logger, string repository, string digest, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discarded the fill of {Repository} {Digest}: {Reason}")]
    private static partial void LogFillFailed(ILogger logger, string repository, string digest, string? reason);
}
