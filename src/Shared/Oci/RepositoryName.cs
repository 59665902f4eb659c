using System.Text.RegularExpressions;

namespace NeonRegistry.Oci;

/// <summary>
/// A repository name checked against the distribution-spec grammar ("Pulling manifests": the name regex).
/// The grammar admits no upper case, no empty component, no "." or ".." component and no leading underscore,
/// so a parsed name is safe to join under the storage root and cannot collide with the store's own
/// underscore-prefixed directories.
/// </summary>
public sealed partial record RepositoryName
{
    public const int MaxLength = 255;

    private RepositoryName(string value) => Value = value;

    public string Value { get; }

    public static bool TryParse(string? value, out RepositoryName name)
    {
        name = null!;
        if (value is null || value.Length > MaxLength || !Grammar().IsMatch(value))
        {
            return false;
        }

        name = new RepositoryName(value);
        return true;
    }

    /// <exception cref="RegistryException">NAME_INVALID when the name breaks the grammar.</exception>
    public static RepositoryName Parse(string? value) =>
        TryParse(value, out var name)
            ? name
            : throw new RegistryException(
                OciErrorCode.NameInvalid,
                $"repository name '{value}' is invalid: use lower-case components of [a-z0-9] joined by '.', '_', '__' or '-', separated by '/', at most {MaxLength} characters",
                new Dictionary<string, string> { ["name"] = value ?? "" });

    public override string ToString() => Value;

    // \z, not $: in .NET, $ also matches before a final '\n', which would let "name\n" through.
    [GeneratedRegex(@"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
