using NeonRegistry.Auth;
using NeonRegistry.Configuration;
using NeonRegistry.Content;
using NeonRegistry.Health;
using NeonRegistry.Metrics;
using NeonRegistry.Proxy;

namespace NeonRegistry.Hosting;

/// <summary>The mode seam, chosen once: a primary answers from its store, a cache from its store and its upstream.</summary>
internal static class PullThroughServices
{
    public static IServiceCollection AddContentSource(this IServiceCollection services, RegistryOptions options)
    {
        if (options.Upstreams is not { } upstreams)
        {
            return services.AddSingleton<IContentSource, LocalContentSource>();
        }

        // What every upstream shares (the size limit, the idle timeout), for the evictor: any upstream's will do.
        services.AddSingleton(upstreams.All[0]);
        services.AddSingleton<CacheMetrics>();
        services.AddHealthChecks().AddCheck<UpstreamReadinessCheck>("upstreams", tags: [HealthEndpoints.ReadinessTag]);
        services.AddSingleton<Upstreams>();
        services.AddSingleton<PullThroughManifests>();
        services.AddSingleton<PullThroughBlobs>();
        services.AddSingleton<BlobFills>();
        services.AddSingleton<BlobLeases>();
        services.AddSingleton<NamespaceFilter>();
        services.AddSingleton<CacheEvictor>();
        services.AddHostedService(provider => provider.GetRequiredService<CacheEvictor>());
        services.AddPeers(options);
        return services.AddSingleton<IContentSource, PullThroughContentSource>();
    }
}
