using System.Net;
using Microsoft.Extensions.Caching.Memory;

namespace NeonRegistry.Auth;

/// <summary>
/// Slows password guessing: after <see cref="MaxFailures"/> failed logins from one client address within
/// <see cref="Window"/>, that address is refused for <see cref="Lockout"/>. Other addresses are unaffected.
/// The count is per instance, which is enough to make guessing slow.
/// <para>
/// A check is reserved before its bcrypt runs, in the same step that reads the count: checks still running
/// count against the limit, so a burst of simultaneous guesses gets no more than <see cref="MaxFailures"/> checks.
/// </para>
/// </summary>
internal sealed class LoginThrottle(IMemoryCache cache, TimeProvider clock)
{
    public const int MaxFailures = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(1);

    // What a client is told to wait while earlier checks from its address are still running.
    private static readonly TimeSpan WhileChecking = TimeSpan.FromSeconds(1);

    private readonly Lock _creating = new();

    /// <summary>How long the address must still wait, or null when it may try to log in.</summary>
    public TimeSpan? RetryAfter(IPAddress? address) =>
        cache.TryGetValue(Key(address), out LoginAttempts? attempts) ? attempts!.RetryAfter(clock.GetUtcNow(), WhileChecking) : null;

    /// <summary>Reserves one password check for the address.</summary>
    /// <returns>The reservation, to be ended once the check is done; null when the address must wait (see <see cref="RetryAfter"/>).</returns>
    public LoginAttempt? TryBegin(IPAddress? address)
    {
        var attempts = AttemptsOf(address);
        return attempts.TryReserve(clock.GetUtcNow(), WhileChecking) ? new LoginAttempt(attempts, clock) : null;
    }

    private LoginAttempts AttemptsOf(IPAddress? address)
    {
        var key = Key(address);
        if (cache.TryGetValue(key, out LoginAttempts? found))
        {
            return found!;
        }

        // GetOrCreate alone is not atomic: two requests of a burst could each create a count, and each allow the limit.
        lock (_creating)
        {
            return cache.GetOrCreate(key, entry =>
            {
                entry.AbsoluteExpirationRelativeToNow = Window + Lockout;
                entry.Size = 1;
                // Kept over cached manifests when memory is short: a dropped count would reset the guessing limit.
                entry.Priority = CacheItemPriority.NeverRemove;
                return new LoginAttempts(MaxFailures, Lockout);
            })!;
        }
    }

    private static string Key(IPAddress? address) => $"login-failures:{address}";
}
