using NeonRegistry.Configuration;

namespace NeonRegistry.Proxy;

/// <summary>
/// Which token services may receive the upstream login. The upstream names its token service in its challenge, so
/// without a rule an upstream (or whoever rewrites its plain-HTTP answers) could collect the login anywhere.
/// </summary>
internal static class TokenRealmTrust
{
    // Public registries whose token service lives on another host. Deriving this from domain names would need the
    // public suffix list: example.co.uk's parent co.uk, or myreg.azurecr.io's azurecr.io, are not one owner.
    private static readonly Dictionary<string, string> KnownTokenServices = new(StringComparer.OrdinalIgnoreCase)
    {
        ["registry-1.docker.io"] = "auth.docker.io",
        ["registry.gitlab.com"] = "gitlab.com",
    };

    /// <summary>
    /// The upstream's own host, its known token service, or a host TOKEN_REALM_HOSTS lists; never over plain HTTP
    /// when the upstream itself is reached over HTTPS.
    /// </summary>
    public static bool IsTrusted(Uri realm, UpstreamOptions options)
    {
        var upstream = options.RemoteUrl;
        if (realm.Scheme != Uri.UriSchemeHttps && upstream.Scheme == Uri.UriSchemeHttps)
        {
            return false;
        }

        return realm.Host.Equals(upstream.Host, StringComparison.OrdinalIgnoreCase)
            || (KnownTokenServices.TryGetValue(upstream.Host, out var known) && realm.Host.Equals(known, StringComparison.OrdinalIgnoreCase))
            || options.TrustedTokenHosts.Contains(realm.Host, StringComparer.OrdinalIgnoreCase);
    }
}
