using System.Collections.Concurrent;
using NeonRegistry.Metrics;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Proxy;

/// <summary>
/// At most one fill per digest in this process (single flight): the first request for a missing blob starts the
/// upstream request and the blob's intake into the store, every later one follows that intake, until the blob is
/// committed and served from disk.
/// </summary>
internal sealed class BlobFills(CacheMetrics metrics)
{
    private readonly ConcurrentDictionary<Digest, Task<BlobIntake?>> _fills = new();

    public bool IsFilling(Digest digest) => _fills.ContainsKey(digest);

    /// <summary>Joins the fill of <paramref name="digest"/>, or starts one with <paramref name="start"/>.</summary>
    /// <param name="start">Asks the upstream; returns null when it does not have the blob. Must not use a client's cancellation token.</param>
    public Task<BlobIntake?> JoinOrStartAsync(Digest digest, Func<Task<BlobIntake?>> start)
    {
        while (true)
        {
            if (_fills.TryGetValue(digest, out var running))
            {
                metrics.CoalescedFollowers.Inc();
                return running;
            }

            var started = new TaskCompletionSource<BlobIntake?>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_fills.TryAdd(digest, started.Task))
            {
                _ = TrackAsync(digest, start, started);
                return started.Task;
            }
        }
    }

    private async Task TrackAsync(Digest digest, Func<Task<BlobIntake?>> start, TaskCompletionSource<BlobIntake?> started)
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
