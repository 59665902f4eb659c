namespace NeonRegistry.Api;

/// <summary>
/// The endpoints machines call every few seconds: health probes and metrics scrapes. They answer without a login
/// (probes and scrapers have none) and say nothing about the store's content; their request lines are Debug.
/// Exact paths only: nothing under them, so no other route opens by accident. The paths live here, beside the
/// route, so that login, logging and metrics classify a request without depending on the endpoints that serve it.
/// </summary>
internal static class ProbePaths
{
    public const string Liveness = "/healthz";
    public const string Readiness = "/readyz";
    public const string Metrics = "/metrics";

    private static readonly HashSet<string> Paths = [Liveness, Readiness, Metrics];

    public static bool IsProbe(HttpContext http) => Paths.Contains(http.Request.Path.Value ?? "");
}
