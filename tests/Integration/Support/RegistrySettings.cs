using System.Text.RegularExpressions;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// The registry's settings by their environment names: the first column of README's settings tables, which a
/// test holds to what Configuration/EnvironmentSettings.cs reads. The processes the tests start get none of them,
/// nor Kestrel's own address settings, from the test host's environment, so a developer's shell cannot change what
/// they run against.
/// </summary>
public static partial class RegistrySettings
{
    private static readonly Lazy<IReadOnlyList<string>> Documented = new(ReadReadme);

    /// <summary>Every name README documents, once each, in the order of its tables.</summary>
    public static IReadOnlyList<string> Names => Documented.Value;

    /// <summary>Each of <see cref="Names"/> and Kestrel's address settings mapped to null: removed from a child's environment.</summary>
    public static Dictionary<string, string?> Cleared() =>
        Names.Concat(["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS"]).ToDictionary(name => name, _ => (string?)null);

    private static List<string> ReadReadme()
    {
        var names = new List<string>();
        var inTable = false;
        foreach (var line in File.ReadLines(RepositoryRoot.File("README.md")))
        {
            inTable = line.StartsWith("| variable |", StringComparison.Ordinal) || (inTable && line.StartsWith('|'));
            if (inTable && SettingRow().Match(line) is { Success: true } row && !names.Contains(row.Groups["name"].Value))
            {
                names.Add(row.Groups["name"].Value);
            }
        }

        return names.Count > 0 ? names : throw new InvalidOperationException("README.md has no '| variable |' settings table");
    }

    [GeneratedRegex(@"^\| `(?<name>[A-Z][A-Z0-9_]*)` \|")]
    private static partial Regex SettingRow();
}
