using NeonRegistry.Configuration;

namespace NeonRegistry.Hosting;

/// <summary>
/// Where and how Kestrel listens: LISTEN_ADDRESS and PORT (every address of both families by default), the
/// connection gate of MAX_CONNECTIONS on every listening socket, and timeouts tight enough that an idle connection
/// gives its descriptor back soon.
/// </summary>
internal static class RegistryListener
{
    /// <summary>
    /// How long a connection may sit idle before its first request and between requests. Clients that pull reuse a
    /// connection within milliseconds; Kestrel's default of 130 s let idle connections pile up.
    /// </summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(15);

    /// <summary>From a request's first byte to the end of its headers (Kestrel's default is 30 s).</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    public static void AddRegistryListener(this WebApplicationBuilder builder, RegistryOptions options)
    {
        builder.Services.AddSingleton<ConnectionGate>();
        // Tests (and --urls) name their own loopback address and port; the settings decide everywhere else.
        var urlsGiven = !string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.KeepAliveTimeout = KeepAliveTimeout;
            kestrel.Limits.RequestHeadersTimeout = RequestHeadersTimeout;
            // Before any Listen: the defaults reach only endpoints made after them (and every --urls one).
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(next =>
            {
                var gate = listen.ApplicationServices.GetRequiredService<ConnectionGate>();
                return connection => gate.OnConnectionAsync(connection, next);
            }));
            if (urlsGiven)
            {
                return;
            }

            if (options.ListenAddress is { } address)
            {
                kestrel.Listen(address, options.Port);
            }
            else
            {
                // [::] with IPV6_V6ONLY cleared (Kestrel sets DualMode on it), so one socket takes IPv4 too, whatever
                // net.ipv6.bindv6only says; where the kernel has no IPv6, Kestrel falls back to 0.0.0.0.
                kestrel.ListenAnyIP(options.Port);
            }
        });
    }

    /// <summary>A connection let in on the probe reserve gets its one answer, then is closed.</summary>
    public static void UseProbeConnectionClose(this WebApplication app) =>
        app.Use((http, next) =>
        {
            if (ConnectionGate.IsProbeConnection(http))
            {
                http.Response.Headers.Connection = "close";
            }

            return next(http);
        });
}
