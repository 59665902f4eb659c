using System.Collections.Concurrent;

namespace NeonRegistry.Concurrency;

/// <summary>Runs one operation per key at a time; concurrent callers with the same key share its result.</summary>
internal sealed class SingleFlight<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<TValue>>> _running = new();

    /// <param name="operation">Must not depend on any one caller's cancellation token: others may be waiting for it.</param>
    public async Task<TValue> RunAsync(TKey key, Func<Task<TValue>> operation, CancellationToken callerToken)
    {
        var flight = _running.GetOrAdd(key, k => new Lazy<Task<TValue>>(() => RunAndForgetAsync(k, operation)));
        return await flight.Value.WaitAsync(callerToken);
    }

    private async Task<TValue> RunAndForgetAsync(TKey key, Func<Task<TValue>> operation)
    {
        try
        {
            return await operation();
        }
        finally
        {
            _running.TryRemove(key, out _);
        }
    }
}
