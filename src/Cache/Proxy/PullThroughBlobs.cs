using NeonRegistry.Content;
using NeonRegistry.Metrics;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Proxy;

/// <summary>
/// A pull-through cache's blobs. A cached blob is served from disk, held by a lease so eviction leaves it alone
/// while it is sent. A miss starts one fill per process, which every request for the digest follows as it
/// arrives; it is verified before it is committed, then linked where it was asked for, and the cache is trimmed
/// back to its size limit.
/// </summary>
internal sealed partial class PullThroughBlobs(
    BlobStore blobs,
    BlobFills fills,
    CacheEvictor evictor,
    BlobSources sources,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    CacheMetrics metrics,
    ILogger<PullThroughBlobs> logger)
{
    public async Task<BlobContent?> GetOrNullAsync(UpstreamRepository upstream, RepositoryName name, Digest digest, CancellationToken cancellationToken)
    {
        var lease = evictor.Lease(digest);
        try
        {
            var cached = blobs.FindOrNull(name, digest);
            if (cached is null && blobs.Exists(digest))
            {
                // Fetched for another repository: the same bytes, so link rather than fetch again.
                blobs.Link(name, digest);
                cached = blobs.FindOrNull(name, digest);
            }

            // Marking the use orders LRU eviction; false when the blob was evicted a moment ago (then it is fetched again).
            if (cached is not null && blobs.TryMarkUsed(cached))
            {
                return BlobContent.Committed(cached, CacheStatus.Hit, lease);
            }

            var forPeer = sources.IsPeerRequest;
            var fill = await fills.JoinOrStartAsync(digest, () => StartFillAsync(upstream, name, digest, forPeer)).WaitAsync(cancellationToken);
            if (fill is null)
            {
                lease.Dispose();
                return null;
            }

            return BlobContent.Filling(fill, lease) with { Via = sources.PeerOf(fill) };
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A HEAD asks whether the blob exists, not for its bytes: a blob neither cached nor being fetched is answered
    /// from the upstream's HEAD, and fetched only when a GET asks for it.
    /// </summary>
    public async Task<BlobContent?> HeadOrNullAsync(UpstreamRepository upstream, RepositoryName name, Digest digest, CancellationToken cancellationToken)
    {
        if (blobs.Exists(digest) || fills.IsFilling(digest))
        {
            return await GetOrNullAsync(upstream, name, digest, cancellationToken);
        }

        return await upstream.HeadBlobOrNullAsync(digest, cancellationToken) switch
        {
            null => await GetOrNullAsync(upstream, name, digest, cancellationToken),
            { Found: true } head => BlobContent.AtUpstream(head.Length),
            _ => null,
        };
    }

    /// <summary>
    /// Asks the digest's owner among the peers, else the upstream (<see cref="BlobSources"/>), for a blob and, when
    /// it has it, starts the fill that every requester reads from.
    /// </summary>
    /// <param name="forPeer">For a peer's request: the upstream only, never another peer.</param>
    private async Task<BlobIntake?> StartFillAsync(UpstreamRepository upstream, RepositoryName name, Digest digest, bool forPeer)
    {
        var stopping = lifetime.ApplicationStopping;
        if (await sources.GetBlobOrNullAsync(upstream, name, digest, forPeer, stopping) is not { } source)
        {
            return null;
        }

        BlobIntake fill;
        Stream body;
        try
        {
            if (source.Blob.Length is { } length)
            {
                evictor.MakeRoomFor(length);
            }

            // The body first: the intake creates its temp file, which nothing would delete if the body then failed.
            body = await source.OpenBodyAsync(stopping);
            fill = blobs.BeginIntake(digest, source.Blob.Length, source.Peer is null ? "the upstream" : $"the cache node {source.Peer.Name}");
            sources.Started(fill, source.Peer);
        }
        catch
        {
            source.Dispose();
            throw;
        }

        var started = clock.GetTimestamp();
        // Not awaited by any request: the fill outlives the client that started it, bounded by the idle timeout.
        _ = Task.Run(async () =>
        {
            using (source)
            {
                try
                {
                    await fill.TakeInAsync(body, upstream.Options.IdleTimeout, committed => Commit(name, digest, committed, source), stopping);
                }
                catch (Exception)
                {
                    // Recorded in the intake (its readers fail with it) and logged below.
                }
            }

            LogFill(name.Value, digest, fill, source.Name, clock.GetElapsedTime(started));
        });
        return fill;
    }

    private void Commit(RepositoryName name, Digest digest, BlobInfo committed, BlobSource source)
    {
        var length = committed.Size;
        // After the rename: a measure that starts in between lists the blob, one that starts after it counts it.
        evictor.NoteStored(length);
        source.Kept(length, metrics);
        blobs.Link(name, digest);
        evictor.EvictIfDue();
    }

    private void LogFill(string name, Digest digest, BlobIntake fill, string source, TimeSpan elapsed)
    {
        metrics.Filled(fill.Succeeded);
        if (fill.Succeeded)
        {
            LogFilled(logger, name, digest.ToString(), source, elapsed.TotalMilliseconds);
        }
        else
        {
            LogFillFailed(logger, name, digest.ToString(), fill.Failure?.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Filled {Repository} {Digest} from {Source} in {ElapsedMs:0} ms")]
    private static partial void LogFilled(ILogger logger, string repository, string digest, string source, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discarded the fill of {Repository} {Digest}: {Reason}")]
    private static partial void LogFillFailed(ILogger logger, string repository, string digest, string? reason);
}
