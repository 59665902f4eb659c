using Microsoft.Extensions.Diagnostics.HealthChecks;
using NeonRegistry.Proxy;

namespace NeonRegistry.Health;

/// <summary>
/// Cache mode's part of <c>/readyz</c>: whether the upstream answers and whether the breaker is open. Either is
/// only Degraded, never Unhealthy: a cache whose upstream is down still serves everything it holds, so it must
/// stay in rotation. Any HTTP answer to <c>GET /v2/</c>, a 401 included, means the upstream is reachable.
/// </summary>
internal sealed class UpstreamReadinessCheck(UpstreamClient upstream) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (upstream.IsBreakerOpen)
        {
            return HealthCheckResult.Degraded($"the breaker is open: upstream {upstream.RemoteUrl.Authority} failed repeatedly; serving from the cache only");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await upstream.PingAsync(timeout.Token);
            return HealthCheckResult.Healthy($"upstream {upstream.RemoteUrl.Authority} answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return HealthCheckResult.Degraded($"upstream {upstream.RemoteUrl.Authority} is unreachable; serving from the cache only");
        }
    }
}
