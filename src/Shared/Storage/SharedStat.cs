using System.Collections.Concurrent;
using System.Diagnostics;

namespace NeonRegistry.Storage;

/// <summary>
/// One <c>stat</c> of a path shared by every request for it that arrived before the <c>stat</c> began. Such a
/// <c>stat</c> sees every change completed before each of those requests arrived (a write acknowledged by another
/// instance included), so sharing it gives up no freshness; under load it turns a filesystem round trip per
/// request (on CephFS, a trip to the client daemon, sometimes to the metadata server) into one per round.
/// </summary>
/// <remarks>
/// A request that finds a round already running waits for it to end and joins the next, since that round may
/// have begun before a write it must see. Rounds are forgotten as they end, so nothing here grows.
/// </remarks>
internal sealed class SharedStat
{
    private readonly ConcurrentDictionary<string, Round> _rounds = new(StringComparer.Ordinal);

    /// <summary>The path's stamp as of some moment after this call began, or null when it does not exist.</summary>
    /// <exception cref="IOException">The stat failed for another reason than a missing file.</exception>
    public async ValueTask<FileStamp?> StatOrNullAsync(string path, CancellationToken cancellationToken) =>
        (await StatBothOrNullAsync(path, null, cancellationToken)).First;

    /// <summary>
    /// Two stats in one round, first then second, for a request that needs both: it waits for one round, not two
    /// in a row. Each result is as of some moment after this call began; null for a file that does not exist.
    /// </summary>
    public async ValueTask<(FileStamp? First, FileStamp? Second)> StatBothOrNullAsync(string first, string? second, CancellationToken cancellationToken)
    {
        var arrived = Stopwatch.GetTimestamp();
        var key = second is null ? first : string.Concat(first, "\0", second);
        while (true)
        {
            if (_rounds.TryGetValue(key, out var round))
            {
                if (round.StartedAt >= arrived)
                {
                    return await round.Result.WaitAsync(cancellationToken);
                }

                await round.Ended.WaitAsync(cancellationToken);
                continue;
            }

            var mine = new Round();
            if (_rounds.TryAdd(key, mine))
            {
                return mine.Run(first, second, () => _rounds.TryRemove(new KeyValuePair<string, Round>(key, mine)));
            }
        }
    }

    private sealed class Round
    {
        private readonly TaskCompletionSource<(FileStamp?, FileStamp?)> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long StartedAt { get; } = Stopwatch.GetTimestamp();

        public Task<(FileStamp?, FileStamp?)> Result => _result.Task;

        /// <summary>Completes when the round's result is in, failed or not.</summary>
        public Task Ended => _result.Task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        public (FileStamp?, FileStamp?) Run(string first, string? second, Action forget)
        {
            try
            {
                var stamps = (FileStamp.OfOrNull(first), second is null ? null : FileStamp.OfOrNull(second));
                forget();
                _result.SetResult(stamps);
                return stamps;
            }
            catch (Exception e)
            {
                forget();
                _result.SetException(e);
                throw;
            }
        }
    }
}
