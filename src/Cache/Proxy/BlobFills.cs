using System.Collections.Concurrent;
using NeonRegistry.Metrics;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// At most one fill per digest in this process (single flight): the first request for a missing blob starts the
/// upstream request, every later one joins it, until the fill is committed and the blob is served from disk.
/// </summary>
internal sealed class BlobFills(CacheMetrics metrics)
{
    private readonly ConcurrentDictionary<Digest, Task<BlobFill?>> _fills = new();

    public bool IsFilling(Digest digest) => _fills.ContainsKey(digest);

    /// <summary>Joins the fill of <paramref name="digest"/>, or starts one with <paramref name="start"/>.</summary>
    /// <param name="start">Asks the upstream; returns null when it does not have the blob. Must not use a client's cancellation token.</param>
    public Task<BlobFill?> JoinOrStartAsync(Digest digest, Func<Task<BlobFill?>> start)
    {
        while (true)
        {
            if (_fills.TryGetValue(digest, out var running))
            {
                metrics.CoalescedFollowers.Inc();
                return running;
            }

            var started = new TaskCompletionSource<BlobFill?>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_fills.TryAdd(digest, started.Task))
            {
                _ = TrackAsync(digest, start, started);
                return started.Task;
            }
        }
    }

    private async Task TrackAsync(Digest digest, Func<Task<BlobFill?>> start, TaskCompletionSource<BlobFill?> started)
    {
        try
        {
            var fill = await start();
            started.SetResult(fill);
            if (fill is not null)
            {
                // Held until committed, so that no second upstream request starts while the first one runs.
                await fill.Completion;
            }
        }
        catch (Exception e)
        {
            started.TrySetException(e);
        }
        finally
        {
            _fills.TryRemove(digest, out _);
        }
    }
}
