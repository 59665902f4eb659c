using Microsoft.AspNetCore.HttpOverrides;
using NeonRegistry.Configuration;

namespace NeonRegistry.Hosting;

/// <summary>
/// Behind an HTTPS proxy every connection comes from the proxy. With TRUSTED_PROXIES set, the client address is
/// taken from X-Forwarded-For, so the login throttle slows the guessing client rather than everyone behind the
/// proxy, and log lines name the client.
/// </summary>
internal static class ForwardedClientAddress
{
    public static IServiceCollection AddForwardedClientAddress(this IServiceCollection services, RegistryOptions options) =>
        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            // The framework trusts loopback by default; only the configured proxies may speak for a client.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in options.TrustedProxies)
            {
                forwarded.KnownIPNetworks.Add(network);
            }

            // A chain of trusted proxies (load balancer, then ingress) is walked back to the first address none
            // of them vouches for: that is the client.
            forwarded.ForwardLimit = null;
        });
}
