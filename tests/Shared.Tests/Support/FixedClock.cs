namespace NeonRegistry.Tests.Support;

/// <summary>A <see cref="TimeProvider"/> that stays at one instant, for the tests that need the stores' time apart from the wall clock's.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
