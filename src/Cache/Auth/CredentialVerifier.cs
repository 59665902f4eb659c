using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using NeonRegistry.Configuration;
using NeonRegistry.Metrics;
using NeonRegistry.Concurrency;

namespace NeonRegistry.Auth;

/// <summary>
/// Checks a login against the USERNAME/PASSWORD user and the htpasswd users. Passwords are held only as bcrypt
/// hashes. Clients send basic credentials on every request and bcrypt is slow by design, so a verified
/// credential is remembered for a short time under a hash of itself (never the password in clear), and requests
/// that arrive with one login while it is being checked (a burst of pulls after a restart) share that one check.
/// Each check is reserved with the failed-login throttle before bcrypt runs, so the throttle counts checks, not
/// the requests that share them.
/// </summary>
internal sealed class CredentialVerifier
{
    private static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(5);

    // The hash lives only in this process's memory, made at start-up; 10 keeps a cache miss near 50 ms.
    private const int WorkFactor = 10;

    // Verified against when the user is unknown, so a miss costs the same time as a wrong password.
    private static readonly string DecoyHash = BCrypt.Net.BCrypt.HashPassword(Guid.NewGuid().ToString(), WorkFactor);

    private readonly string? _username;
    private readonly string? _passwordHash;
    private readonly HtpasswdFile? _htpasswd;
    private readonly IMemoryCache _cache;
    private readonly RegistryMetrics _metrics;
    private readonly SingleFlight<string, bool?> _checks = new();

    public CredentialVerifier(RegistryOptions options, IMemoryCache cache, TimeProvider clock, RegistryMetrics metrics)
    {
        _username = options.Username;
        _passwordHash = options.Password is null ? null : BCrypt.Net.BCrypt.HashPassword(options.Password, WorkFactor);
        _htpasswd = options.HtpasswdFile is { } path ? new HtpasswdFile(path, clock) : null;
        _cache = cache;
        _metrics = metrics;
    }

    /// <summary>True when this exact login was verified a short while ago; costs no bcrypt.</summary>
    public bool IsRemembered(BasicCredentials credentials)
    {
        _htpasswd?.Refresh();
        return _cache.TryGetValue(CacheKey(credentials), out _);
    }

    /// <param name="reserve">Reserves the check with the throttle; returns null when the client must wait.</param>
    /// <returns>Whether the login is right; null when the throttle refused the check (no bcrypt ran).</returns>
    public async Task<bool?> IsValidAsync(BasicCredentials credentials, Func<LoginAttempt?> reserve)
    {
        _htpasswd?.Refresh();
        var key = CacheKey(credentials);
        if (_cache.TryGetValue(key, out _))
        {
            return true;
        }

        // Not on the caller's cancellation, since the others waiting for this check need its result.
        return await _checks.RunAsync(key, () => CheckReservedAsync(credentials, key, reserve), CancellationToken.None);
    }

    private async Task<bool?> CheckReservedAsync(BasicCredentials credentials, string key, Func<LoginAttempt?> reserve)
    {
        if (reserve() is not { } attempt)
        {
            return null;
        }

        bool valid;
        try
        {
            // On the thread pool, so the requests that join it wait without holding a thread.
            valid = await Task.Run(() => Check(credentials, key));
        }
        catch
        {
            attempt.End(failed: false);
            throw;
        }

        attempt.End(failed: !valid);
        return valid;
    }

    private bool Check(BasicCredentials credentials, string key)
    {
        var hash = _username is not null && FixedTimeEquals(credentials.Username, _username) ? _passwordHash : _htpasswd?.HashOrNull(credentials.Username);
        var valid = BCrypt.Net.BCrypt.Verify(credentials.Password, hash ?? DecoyHash) && hash is not null;
        _metrics.PasswordChecks.WithLabels(valid ? "valid" : "invalid").Inc();
        if (valid)
        {
            _cache.Set(key, true, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = RememberFor, Size = 1, Priority = CacheItemPriority.High });
        }

        return valid;
    }

    private string CacheKey(BasicCredentials credentials)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{credentials.Username}\0{credentials.Password}"));
        return $"login:{_htpasswd?.Generation}:{Convert.ToHexString(digest)}";
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
