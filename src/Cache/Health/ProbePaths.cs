using NeonRegistry.Metrics;

namespace NeonRegistry.Health;

/// <summary>
/// The endpoints machines call every few seconds: health probes and metrics scrapes. They answer without a login
/// (probes and scrapers have none) and say nothing about the store's content; their request lines are Debug.
/// Exact paths only: nothing under them, so no other route opens by accident.
/// </summary>
internal static class ProbePaths
{
    private static readonly HashSet<string> Paths = [HealthEndpoints.LivenessPath, HealthEndpoints.ReadinessPath, MetricsEndpoints.Path];

    public static bool IsProbe(HttpContext http) => Paths.Contains(http.Request.Path.Value ?? "");
}
