using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using NeonRegistry.Api;
using NeonRegistry.Auth;
using NeonRegistry.Configuration;
using NeonRegistry.Health;
using NeonRegistry.Metrics;
using NeonRegistry.Storage;
using NeonRegistry.Web;

namespace NeonRegistry.Hosting;

/// <summary>Composition of the registry: its services, its listener and its one /v2 endpoint.</summary>
internal static class RegistryServices
{
    /// <exception cref="SettingsException">A setting is missing or malformed.</exception>
    public static WebApplicationBuilder AddRegistry(this WebApplicationBuilder builder)
    {
        var options = EnvironmentSettings.Read(builder.Configuration);
        builder.AddRegistryLogging(options);
        builder.AddRegistryListener(options);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        // Entries are sized in bytes (manifests by their length, small facts as 1): 64 MiB at most.
        services.AddMemoryCache(cache => cache.SizeLimit = 64 * 1024 * 1024);
        services.AddSingleton(new StorageLayout(options.StoragePath));
        services.AddSingleton<BlobStore>();
        services.AddSingleton<UploadStore>();
        services.AddSingleton<TagStore>();
        services.AddSingleton<ReferrersIndex>();
        services.AddSingleton<ManifestStore>();
        services.AddSingleton<RepositoryCatalog>();
        services.AddContentSource(options);
        services.AddHostedService<UploadPurgeService>();

        services.AddSingleton<UploadStateToken>();
        services.AddSingleton<DeletePolicy>();
        services.AddSingleton<AllowedMethods>();
        services.AddSingleton<CacheHeaders>();
        services.AddSingleton<BlobEndpoints>();
        services.AddSingleton<UploadEndpoints>();
        services.AddSingleton<ManifestEndpoints>();
        services.AddSingleton<TagEndpoints>();
        services.AddSingleton<CatalogEndpoints>();
        services.AddSingleton<ReferrersEndpoints>();
        services.AddSingleton<V2Dispatcher>();

        services.AddSingleton<CredentialVerifier>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<BasicAuthentication>();
        services.AddSingleton<CrossSiteWriteGuard>();
        services.AddSingleton<ReadOnlyGuard>();

        services.AddForwardedClientAddress(options);
        services.AddHealthEndpoints();
        services.AddRegistryMetrics();
        services.AddWebPages();

        services.AddExceptionHandler<OciExceptionHandler>();
        services.AddProblemDetails();
        return builder;
    }

    public static WebApplication MapRegistryApi(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<RegistryOptions>();
        if (options.TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        app.Use(RequestRoute.ParseAsync);
        app.UseProbeConnectionClose();
        app.UseRegistryRequestLogging();
        app.UseRegistryMetrics();
        app.UseExceptionHandler();
        var allowed = app.Services.GetRequiredService<AllowedMethods>();
        app.Use((http, next) =>
        {
            // Docker's clients look for this header on every response to know they talk to a v2 registry. Set as
            // the response starts, so error responses (whose headers the exception handler resets) carry it too;
            // so does a 405's Allow, whichever middleware or handler refused the method.
            http.Response.OnStarting(() =>
            {
                http.Response.Headers[RegistryHeaders.ApiVersion] = "registry/2.0";
                if (http.Response.StatusCode == StatusCodes.Status405MethodNotAllowed && allowed.ForOrNull(http) is { } methods)
                {
                    http.Response.Headers.Allow = methods;
                }

                return Task.CompletedTask;
            });
            return next(http);
        });
        if (options.IsCache)
        {
            app.UseMiddleware<CacheHeaders>();
        }

        app.UseMiddleware<CrossSiteWriteGuard>();
        if (options.IsCache)
        {
            // Before the login: a peer's signature is its login, and a forged one is refused here.
            app.UseMiddleware<Proxy.PeerRequestGuard>();
        }

        if (options.RequiresLogin)
        {
            app.UseMiddleware<BasicAuthentication>();
        }

        if (options.ReadOnly || options.IsCache)
        {
            app.UseMiddleware<ReadOnlyGuard>();
        }

        if (options.IsCache)
        {
            app.UseMiddleware<NamespaceFilter>();
        }

        app.MapHealthEndpoints();
        app.MapMetricsEndpoints();
        app.MapWebPages();
        app.Map("/v2", (HttpContext http, V2Dispatcher dispatcher) => dispatcher.DispatchAsync(http));
        app.Map("/v2/{**path}", (HttpContext http, V2Dispatcher dispatcher) => dispatcher.DispatchAsync(http));

        // Kestrel resolves dot segments before routing, so "/v2/../x" arrives as "/x"; the dispatcher reads the
        // raw target and refuses such names instead of letting them fall through as an unknown path.
        app.MapFallback((HttpContext http, V2Dispatcher dispatcher) => dispatcher.DispatchAsync(http));

        if (options.Upstreams?.Remote is { IgnoredUser: { } ignored } remote)
        {
            app.Logger.LogWarning("USER '{User}' is set without PASSWORD and was ignored: the cache pulls from {Upstream} anonymously", ignored, remote.RemoteUrl.Authority);
        }

        app.Lifetime.ApplicationStarted.Register(() => LogListening(app));
        return app;
    }

    private static void LogListening(WebApplication app)
    {
        var addresses = string.Join(", ", app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []);
        var storage = app.Services.GetRequiredService<StorageLayout>().Root;
        var options = app.Services.GetRequiredService<RegistryOptions>();
        if (options.Upstreams is not { } upstreams)
        {
            app.Logger.LogInformation(
                "neon-registry primary registry listening on {Addresses}, storage {StoragePath}, at most {MaxConnections} connections, {Login}{ReadOnly}",
                addresses, storage, options.MaxConnections, options.RequiresLogin ? "login required" : "no login", options.ReadOnly ? ", read-only" : "");
            return;
        }

        // What an operator checks first on a cache node; the upstreams' passwords are never part of it.
        var defaults = upstreams.Defaults;
        app.Logger.LogInformation(
            "neon-registry pull-through cache of {RemoteUrl} listening on {Addresses}, storage {StoragePath}, at most {MaxConnections} connections, tag freshness {TagFreshness}, size limit {SizeLimit}, upstream login {UpstreamLogin}",
            // One word however many upstreams: tools (and the tests) read the address after it.
            string.Join(',', upstreams.All.Select(u => u.RemoteUrl.ToString())), addresses, storage, options.MaxConnections, defaults.TagFreshness.ToString("c"), Commands.ByteSize.Format(defaults.SizeLimitBytes),
            string.Join(", ", upstreams.All.Select(u => u.User is { } user ? $"as {user}" : "none (anonymous)")));
        if (upstreams.All.Count > 1 || upstreams.File is not null)
        {
            foreach (var upstream in upstreams.All)
            {
                app.Logger.LogInformation("upstream {Upstream}: {RemoteUrl}, login {UpstreamLogin}", upstream.Name, upstream.RemoteUrl.ToString(), upstream.User is { } user ? $"as {user}" : "none (anonymous)");
            }
        }
    }
}
