namespace NeonRegistry.Auth;

/// <summary>A password check reserved by <see cref="LoginThrottle.TryBegin"/>; ended once, with its outcome.</summary>
internal sealed class LoginAttempt(LoginAttempts attempts, TimeProvider clock)
{
    private int _ended;

    /// <param name="failed">True for a wrong login (counted); false for a right one or a check that could not finish.</param>
    public void End(bool failed)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            attempts.End(failed, clock.GetUtcNow());
        }
    }
}
