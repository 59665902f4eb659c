using System.Globalization;
using System.Text.RegularExpressions;

namespace NeonRegistry.Integration.Support;

/// <summary>A scrape of /metrics in Prometheus' text format, read just enough to look series up by labels.</summary>
public sealed partial class PrometheusText(string text)
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = Parse(text);

    public string Text { get; } = text;

    /// <summary>The value of the one series named <paramref name="name"/> that has all the given labels; null when none has.</summary>
    public double? Value(string name, params (string Name, string Value)[] labels)
    {
        var matches = _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).ToList();
        return matches.Count switch
        {
            0 => null,
            1 => matches[0].Value,
            _ => throw new Xunit.Sdk.XunitException($"{matches.Count} series of {name} match; name more labels"),
        };
    }

    /// <summary>The label sets of every series named <paramref name="name"/>.</summary>
    public IEnumerable<IReadOnlyDictionary<string, string>> Series(string name) => _samples.Where(s => s.Name == name).Select(s => s.Labels);

    private static List<(string, Dictionary<string, string>, double)> Parse(string text)
    {
        var samples = new List<(string, Dictionary<string, string>, double)>();
        foreach (var line in text.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            if (double.TryParse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                samples.Add((match.Groups["name"].Value, labels, value));
            }
        }

        return samples;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
