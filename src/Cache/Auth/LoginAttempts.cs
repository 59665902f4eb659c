namespace NeonRegistry.Auth;

/// <summary>
/// One address's failed logins and the checks it has running, changed only under one lock so that reading the
/// count and reserving a check are a single step.
/// </summary>
internal sealed class LoginAttempts(int maxFailures, TimeSpan lockout)
{
    private readonly Lock _lock = new();
    private int _failures;
    private int _running;
    private DateTimeOffset? _lockedUntil;

    /// <summary>How long the address must wait: the lockout, or a moment while checks that may reach the limit run.</summary>
    public TimeSpan? RetryAfter(DateTimeOffset now, TimeSpan whileChecking)
    {
        lock (_lock)
        {
            return RetryAfterLocked(now, whileChecking);
        }
    }

    public bool TryReserve(DateTimeOffset now, TimeSpan whileChecking)
    {
        lock (_lock)
        {
            if (RetryAfterLocked(now, whileChecking) is not null)
            {
                return false;
            }

            _running++;
            return true;
        }
    }

    public void End(bool failed, DateTimeOffset now)
    {
        lock (_lock)
        {
            _running--;
            if (failed && ++_failures >= maxFailures)
            {
                _lockedUntil = now + lockout;
            }
        }
    }

    private TimeSpan? RetryAfterLocked(DateTimeOffset now, TimeSpan whileChecking)
    {
        if (_lockedUntil is { } until)
        {
            if (until > now)
            {
                return until - now;
            }

            // The lockout served its time: the address starts counting again.
            (_lockedUntil, _failures) = (null, 0);
        }

        return _failures + _running >= maxFailures ? whileChecking : null;
    }
}
