using System.CommandLine;
using System.CommandLine.Parsing;
using NeonRegistry.Configuration;

namespace NeonRegistry.Commands;

/// <summary>Durations on the command line, read like duration settings (<c>90s</c>, <c>30m</c>, <c>1.5h</c>, <c>7d</c>).</summary>
internal static class DurationArgument
{
    // 99999 days is beyond any store's age, and "now" minus it is still a valid date.
    private static readonly TimeSpan Longest = TimeSpan.FromDays(99999);

    /// <summary>
    /// An option with a duration value (<c>--grace 2h</c> or <c>--grace=2h</c>). Given twice, the last one counts:
    /// one value per occurrence, however many occurrences.
    /// </summary>
    public static Option<TimeSpan> Option(string name, TimeSpan defaultValue) => new(name)
    {
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => Parse(result, name, defaultValue),
    };

    /// <summary>The shortest form the option reads back, for summaries.</summary>
    public static string Format(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerDay == 0 && duration > TimeSpan.Zero ? $"{duration.TotalDays:0}d"
        : duration.Ticks % TimeSpan.TicksPerHour == 0 && duration > TimeSpan.Zero ? $"{duration.TotalHours:0}h"
        : duration.Ticks % TimeSpan.TicksPerMinute == 0 && duration > TimeSpan.Zero ? $"{duration.TotalMinutes:0}m"
        : $"{duration.TotalSeconds:0}s";

    private static TimeSpan Parse(ArgumentResult result, string option, TimeSpan defaultValue)
    {
        if (result.Tokens.Count == 0)
        {
            return defaultValue;
        }

        // The parser hands over the next token even when it is another option: that is a missing value here.
        var value = result.Tokens[^1].Value;
        if (value.StartsWith("--", StringComparison.Ordinal))
        {
            result.AddError($"{option} needs a value");
        }
        else if (SettingParsers.TryParseDuration(value, out var duration) && duration <= Longest)
        {
            return duration;
        }
        else
        {
            result.AddError($"{option} '{value}' is not a duration such as 30m, 1h, 24h or 7d");
        }

        return defaultValue;
    }
}
