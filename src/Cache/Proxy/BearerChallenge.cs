using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace NeonRegistry.Proxy;

/// <summary>
/// The parameters of a <c>WWW-Authenticate: Bearer realm="...",service="...",scope="..."</c> challenge
/// (Docker's token authentication specification).
/// </summary>
internal sealed partial record BearerChallenge(Uri Realm, string? Service, string? Scope)
{
    public static BearerChallenge? TryParse(AuthenticationHeaderValue header)
    {
        if (!header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return null;
        }

        var parameters = Parameter().Matches(header.Parameter)
            .ToDictionary(m => m.Groups[1].Value.ToLowerInvariant(), m => m.Groups[2].Value);
        return parameters.TryGetValue("realm", out var realm) && Uri.TryCreate(realm, UriKind.Absolute, out var uri)
            ? new BearerChallenge(uri, parameters.GetValueOrDefault("service"), parameters.GetValueOrDefault("scope"))
            : null;
    }

    [GeneratedRegex("""(\w+)="([^"]*)"\s*,?""", RegexOptions.CultureInvariant)]
    private static partial Regex Parameter();
}
