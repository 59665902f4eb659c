using System.Net;
using Microsoft.Extensions.Caching.Memory;

namespace NeonRegistry.Auth;

/// <summary>
/// Slows password guessing: after <see cref="MaxFailures"/> failed logins from one client address within
/// <see cref="Window"/>, that address is refused for <see cref="Lockout"/>. Other addresses are unaffected.
/// The count is per instance, which is enough to make guessing slow.
/// </summary>
internal sealed class LoginThrottle(IMemoryCache cache, TimeProvider clock)
{
    public const int MaxFailures = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(1);

    /// <summary>How long the address must still wait, or null when it may try to log in.</summary>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        if (!cache.TryGetValue(Key(address), out Failures? failures) || failures!.LockedUntil is not { } until)
        {
            return null;
        }

        var remaining = until - clock.GetUtcNow();
        return remaining > TimeSpan.Zero ? remaining : null;
    }

    public void RecordFailure(IPAddress? address)
    {
        var failures = cache.GetOrCreate(Key(address), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Window + Lockout;
            entry.Size = 1;
            // Kept over cached manifests when memory is short: a dropped count would reset the guessing limit.
            entry.Priority = CacheItemPriority.NeverRemove;
            return new Failures();
        })!;

        lock (failures)
        {
            failures.Count++;
            if (failures.Count >= MaxFailures)
            {
                failures.LockedUntil = clock.GetUtcNow() + Lockout;
            }
        }
    }

    private static string Key(IPAddress? address) => $"login-failures:{address}";

    private sealed class Failures
    {
        public int Count { get; set; }

        public DateTimeOffset? LockedUntil { get; set; }
    }
}
