using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NeonRegistry.Proxy;

namespace NeonRegistry.Health;

/// <summary>
/// Cache mode's part of <c>/readyz</c>: whether the upstream answers, whether the breaker is open, and whether the
/// upstream accepts the cache's login (or its anonymous pulls). Each is only Degraded, never Unhealthy: a cache
/// whose upstream is down or refuses it still serves everything it holds, so it must stay in rotation. Any HTTP
/// answer to a plain <c>GET /v2/</c>, a 401 included, means the upstream is reachable; the login is checked when
/// one is configured or the upstream asks for one (<see cref="UpstreamAccessCheck"/>, at most once a minute).
/// </summary>
internal sealed class UpstreamReadinessCheck(Upstream upstream) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (upstream.Client.IsBreakerOpen)
        {
            return HealthCheckResult.Degraded($"the breaker is open: upstream {upstream.Options.RemoteUrl.Authority} failed repeatedly; serving from the cache only");
        }

        HttpStatusCode status;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(Timeout);
            try
            {
                using var response = await upstream.Client.PingAsync(timeout.Token);
                status = response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                return HealthCheckResult.Degraded($"upstream {upstream.Options.RemoteUrl.Authority} is unreachable; serving from the cache only");
            }
        }

        if ((upstream.Options.User is not null || status == HttpStatusCode.Unauthorized) && await upstream.Access.RefusalOrNullAsync(cancellationToken) is { } refusal)
        {
            return HealthCheckResult.Degraded(refusal);
        }

        return HealthCheckResult.Healthy($"upstream {upstream.Options.RemoteUrl.Authority} answered {(int)status}");
    }
}
