using Microsoft.Extensions.Diagnostics.HealthChecks;
using NeonRegistry.Proxy;

namespace NeonRegistry.Health;

/// <summary>
/// The peers' part of <c>/readyz</c>: each peer's state, probed now. A peer that is down makes this node Degraded,
/// never Unhealthy: its blobs come from the next node or the upstream, so this node keeps serving.
/// </summary>
internal sealed class PeerReadinessCheck(PeerCluster cluster, PeerProber prober) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await prober.ProbeAllAsync(cancellationToken);
        var states = string.Join("; ", cluster.Peers.Select(peer => peer.DownReason is { } reason ? $"{peer.Name} down: {reason}" : $"{peer.Name} up"));
        return cluster.Peers.All(peer => peer.IsUp)
            ? HealthCheckResult.Healthy($"peers: {states}")
            : HealthCheckResult.Degraded($"peers: {states}; blobs they own come from the next node or the upstream");
    }
}
