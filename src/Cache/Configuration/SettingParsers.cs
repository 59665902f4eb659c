using System.Globalization;
using System.Text.RegularExpressions;

namespace NeonRegistry.Configuration;

/// <summary>Strict parsers for the value shapes settings share: durations (<c>90s</c>, <c>5m</c>, <c>1h</c>, <c>7d</c>) and sizes (<c>500MiB</c>, <c>100GiB</c>).</summary>
internal static partial class SettingParsers
{
    public static bool TryParseDuration(string value, out TimeSpan duration)
    {
        duration = default;
        var match = DurationPattern().Match(value);
        if (!match.Success)
        {
            return false;
        }

        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(1),
            "s" => TimeSpan.FromSeconds(1),
            "m" => TimeSpan.FromMinutes(1),
            "h" => TimeSpan.FromHours(1),
            _ => TimeSpan.FromDays(1),
        };
        if (amount * unit.Ticks >= TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = unit * amount;
        return true;
    }

    public static bool TryParseSize(string value, out long bytes)
    {
        bytes = 0;
        var match = SizePattern().Match(value);
        if (!match.Success)
        {
            return false;
        }

        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value switch
        {
            "" or "B" => 1L,
            "KiB" => 1L << 10,
            "MiB" => 1L << 20,
            "GiB" => 1L << 30,
            "TiB" => 1L << 40,
            "KB" => 1000L,
            "MB" => 1000L * 1000,
            "GB" => 1000L * 1000 * 1000,
            _ => 1000L * 1000 * 1000 * 1000,
        };
        bytes = (long)(amount * unit);
        return true;
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h|d)\z", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();
}
