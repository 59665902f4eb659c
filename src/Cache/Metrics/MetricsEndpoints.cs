using NeonRegistry.Api;
using Prometheus;

namespace NeonRegistry.Metrics;

/// <summary>
/// <c>/metrics</c> in Prometheus' text format (OpenMetrics when the scraper asks for it), without a login: it
/// names no repository, tag or user, only counts by route kind.
/// </summary>
internal static class MetricsEndpoints
{
    public const string Path = ProbePaths.Metrics;

    public static IServiceCollection AddRegistryMetrics(this IServiceCollection services)
    {
        services.AddSingleton<RegistryMetrics>();
        services.AddSingleton<HttpMetricsMiddleware>();
        return services;
    }

    /// <summary>Counts the requests of everything added after it.</summary>
    public static WebApplication UseRegistryMetrics(this WebApplication app)
    {
        app.UseMiddleware<HttpMetricsMiddleware>();
        return app;
    }

    public static WebApplication MapMetricsEndpoints(this WebApplication app)
    {
        app.MapMetrics(Path, app.Services.GetRequiredService<RegistryMetrics>().Registry);
        return app;
    }
}
