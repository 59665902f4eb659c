using System.Globalization;
using System.Text.RegularExpressions;

namespace NeonRegistry.Commands;

/// <summary>Durations on the command line: a whole number and a unit, s, m, h or d (<c>90s</c>, <c>30m</c>, <c>24h</c>, <c>7d</c>).</summary>
internal static partial class DurationArgument
{
    /// <exception cref="UsageException">The value is not such a duration.</exception>
    public static TimeSpan Parse(string option, string value)
    {
        var match = Pattern().Match(value);
        if (!match.Success)
        {
            throw new UsageException($"{option} '{value}' is not a duration such as 30m, 1h, 24h or 7d");
        }

        var amount = int.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value switch
        {
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromDays(amount),
        };
    }

    /// <summary>The shortest form <see cref="Parse"/> reads back, for summaries.</summary>
    public static string Format(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerDay == 0 && duration > TimeSpan.Zero ? $"{duration.TotalDays:0}d"
        : duration.Ticks % TimeSpan.TicksPerHour == 0 && duration > TimeSpan.Zero ? $"{duration.TotalHours:0}h"
        : duration.Ticks % TimeSpan.TicksPerMinute == 0 && duration > TimeSpan.Zero ? $"{duration.TotalMinutes:0}m"
        : $"{duration.TotalSeconds:0}s";

    // At most five digits: 99999d is beyond any store's age, and "now" minus it is still a valid date.
    [GeneratedRegex(@"^(?<amount>[0-9]{1,5})(?<unit>[smhd])\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
