using System.Net;
using NeonRegistry.Configuration;

namespace NeonRegistry.Proxy;

/// <summary>
/// Which token services may receive the upstream login. The upstream names its token service in its challenge, so
/// without a rule an upstream (or whoever rewrites its plain-HTTP answers) could collect the login anywhere.
/// </summary>
internal static class TokenRealmTrust
{
    /// <summary>
    /// The upstream's own host, a host TOKEN_REALM_HOSTS lists, or a sibling under the upstream's parent domain
    /// (registry-1.docker.io's auth.docker.io). The parent must itself have two labels: a host directly under a
    /// public suffix (quay.io, example.co.uk's parent co.uk) has no siblings it can vouch for.
    /// </summary>
    public static bool IsTrusted(Uri realm, UpstreamOptions options)
    {
        var upstream = options.RemoteUrl.Host;
        if (realm.Host.Equals(upstream, StringComparison.OrdinalIgnoreCase) || options.TrustedTokenHosts.Contains(realm.Host, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        if (IPAddress.TryParse(upstream, out _) || upstream.IndexOf('.') is var dot && dot < 0)
        {
            return false;
        }

        var parent = upstream[(dot + 1)..];
        return parent.Contains('.') && (realm.Host.EndsWith("." + parent, StringComparison.OrdinalIgnoreCase) || realm.Host.Equals(parent, StringComparison.OrdinalIgnoreCase));
    }
}
