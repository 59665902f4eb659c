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
/// Every upstream is asked at once; each has its own line in <c>/readyz</c> (<see cref="HealthEndpoints"/> lists
/// the <see cref="CheckReport"/>s in the result's data), named <c>upstream NAME</c>.
/// </summary>
internal sealed class UpstreamReadinessCheck(Upstreams upstreams, TimeProvider clock) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var all = upstreams.Current.All;
        var results = await Task.WhenAll(all.Select(async upstream =>
        {
            var started = clock.GetTimestamp();
            var result = await CheckAsync(upstream, cancellationToken);
            var report = new CheckReport(
                $"upstream {upstream.Options.Name}", result.Status.ToString().ToLowerInvariant(), result.Description, Math.Round(clock.GetElapsedTime(started).TotalMilliseconds, 1));
            return (result.Status, report);
        }));
        var data = results.ToDictionary(r => r.report.Name, r => (object)r.report);
        var worst = results.Length == 0 ? HealthStatus.Healthy : results.Min(r => r.Status);
        return new HealthCheckResult(worst, $"{results.Count(r => r.Status == HealthStatus.Healthy)} of {results.Length} upstreams healthy", data: data);
    }

    private static async Task<HealthCheckResult> CheckAsync(Upstream upstream, CancellationToken cancellationToken)
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
