using System.Text.RegularExpressions;

namespace NeonRegistry.Oci;

/// <summary>A tag checked against the distribution-spec grammar: <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>.</summary>
public static partial class Tag
{
    public static bool IsValid(string? value) => value is not null && Grammar().IsMatch(value);

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
