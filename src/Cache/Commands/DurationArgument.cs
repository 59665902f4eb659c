using NeonRegistry.Configuration;

namespace NeonRegistry.Commands;

/// <summary>Durations on the command line, read like duration settings (<c>90s</c>, <c>30m</c>, <c>1.5h</c>, <c>7d</c>).</summary>
internal static class DurationArgument
{
    // 99999 days is beyond any store's age, and "now" minus it is still a valid date.
    private static readonly TimeSpan Longest = TimeSpan.FromDays(99999);

    /// <exception cref="UsageException">The value is not such a duration.</exception>
    public static TimeSpan Parse(string option, string value) =>
        SettingParsers.TryParseDuration(value, out var duration) && duration <= Longest
            ? duration
            : throw new UsageException($"{option} '{value}' is not a duration such as 30m, 1h, 24h or 7d");

    /// <summary>The shortest form <see cref="Parse"/> reads back, for summaries.</summary>
    public static string Format(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerDay == 0 && duration > TimeSpan.Zero ? $"{duration.TotalDays:0}d"
        : duration.Ticks % TimeSpan.TicksPerHour == 0 && duration > TimeSpan.Zero ? $"{duration.TotalHours:0}h"
        : duration.Ticks % TimeSpan.TicksPerMinute == 0 && duration > TimeSpan.Zero ? $"{duration.TotalMinutes:0}m"
        : $"{duration.TotalSeconds:0}s";
}
