using System.Text.RegularExpressions;

namespace NeonRegistry.Oci;

/// <summary>A tag checked against the distribution-spec grammar: <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>.</summary>
public static partial class Tag
{
    public static bool IsValid(string? value) => value is not null && Grammar().IsMatch(value);

    /// <exception cref="RegistryException">TAG_INVALID when the value is outside the grammar.</exception>
    public static string Parse(string? value) =>
        IsValid(value)
            ? value!
            : throw new RegistryException(
                OciErrorCode.TagInvalid,
                $"tag '{value}' is invalid: use up to 128 characters of [a-zA-Z0-9._-], not starting with '.' or '-'",
                new Dictionary<string, string> { ["tag"] = value ?? "" });

    // \z, not $: in .NET, $ also matches before a final '\n', which would let "latest\n" through.
    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
