using Microsoft.Extensions.Diagnostics.HealthChecks;
using NeonRegistry.Api;
using NeonRegistry.Configuration;

namespace NeonRegistry.Health;

/// <summary>
/// The probes for orchestrators and load balancers, answered without a login and in JSON:
/// <c>/healthz</c> says the process answers at all (restart it when it does not), <c>/readyz</c> says whether it
/// can serve (send it traffic only when it can): 200 when every readiness check passes, 503 otherwise.
/// </summary>
internal static class HealthEndpoints
{
    public const string LivenessPath = ProbePaths.Liveness;
    public const string ReadinessPath = ProbePaths.Readiness;

    /// <summary>
    /// The tag that makes a health check part of <c>/readyz</c>. Another mode adds its own check with it, e.g. cache
    /// mode's "upstreams reachable, breakers closed": <c>services.AddHealthChecks().AddCheck&lt;T&gt;("upstreams", tags: [ReadinessTag])</c>.
    /// A check that answers Degraded keeps the instance ready (it still serves what it has) and says why.
    /// </summary>
    public const string ReadinessTag = "ready";

    public static IServiceCollection AddHealthEndpoints(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<StoreReadinessCheck>("store", tags: [ReadinessTag]);
        return services;
    }

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapGet(LivenessPath, (RegistryOptions options) => SmallBody.Json(new LivenessReport("alive", options.InstanceName), HealthJsonContext.Default.LivenessReport));
        app.MapGet(ReadinessPath, ReadyAsync);
        return app;
    }

    private static async Task<IResult> ReadyAsync(HealthCheckService health, RegistryOptions options, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(ReadinessTag), cancellationToken);
        var ready = report.Status != HealthStatus.Unhealthy;
        // A check of several parts (cache mode's upstreams) lists each part as its own check.
        var checks = report.Entries.SelectMany(entry => entry.Value.Data.Values.OfType<CheckReport>().ToList() is { Count: > 0 } parts ? parts : [new CheckReport(
            entry.Key,
            entry.Value.Status.ToString().ToLowerInvariant(),
            entry.Value.Description ?? entry.Value.Exception?.Message,
            Math.Round(entry.Value.Duration.TotalMilliseconds, 1))]);
        var body = new ReadinessReport(ready ? "ready" : "not ready", options.InstanceName, checks.ToList());
        return SmallBody.Json(body, HealthJsonContext.Default.ReadinessReport, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
