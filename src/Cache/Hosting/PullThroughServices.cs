using NeonRegistry.Configuration;
using NeonRegistry.Content;
using NeonRegistry.Health;
using NeonRegistry.Metrics;
using NeonRegistry.Peering;
using NeonRegistry.Proxy;

namespace NeonRegistry.Hosting;

/// <summary>The mode seam, chosen once: a primary answers from its store, a cache from its store and its upstream.</summary>
internal static class PullThroughServices
{
    public static IServiceCollection AddContentSource(this IServiceCollection services, RegistryOptions options)
    {
        if (options.Upstream is not { } upstream)
        {
            return services.AddSingleton<IContentSource, LocalContentSource>();
        }

        services.AddSingleton(upstream);
        services.AddSingleton<CacheMetrics>();
        services.AddHealthChecks().AddCheck<UpstreamReadinessCheck>("upstream", tags: [HealthEndpoints.ReadinessTag]);
        services.AddSingleton<Upstream>();
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
