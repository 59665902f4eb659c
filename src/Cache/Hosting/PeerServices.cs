using NeonRegistry.Configuration;
using NeonRegistry.Health;
using NeonRegistry.Proxy;

namespace NeonRegistry.Hosting;

/// <summary>The composition of peering: in every cache (without PEERS it has no peers and refuses peer requests).</summary>
internal static class PeerServices
{
    public static IServiceCollection AddPeers(this IServiceCollection services, RegistryOptions options)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<PeerMetrics>();
        services.AddSingleton<PeerCluster>();
        services.AddSingleton<BlobSources>();
        services.AddSingleton<ManifestSources>();
        services.AddSingleton<PeerRequestGuard>();
        if (options.Peers is not null)
        {
            services.AddSingleton<PeerProber>();
            services.AddHostedService(provider => provider.GetRequiredService<PeerProber>());
            services.AddHealthChecks().AddCheck<PeerReadinessCheck>("peers", tags: [HealthEndpoints.ReadinessTag]);
        }

        return services;
    }
}
