using NeonRegistry.Metrics;
using Prometheus;

namespace NeonRegistry.Proxy;

/// <summary>
/// The peers' instruments, beside <see cref="CacheMetrics"/> (whose fetched bytes are the upstream's): what was
/// fetched from each peer, how each answered, whether each is up, and peer requests this node refused.
/// </summary>
internal sealed class PeerMetrics
{
    private readonly Counter _fetchedBytes;
    private readonly Counter _requests;
    private readonly Gauge _up;

    public PeerMetrics(RegistryMetrics registry)
    {
        var factory = registry.Factory;
        _fetchedBytes = factory.CreateCounter("neon_registry_cache_peer_fetched_bytes_total", "Bytes of blobs fetched from peer cache nodes instead of the upstream and kept, by peer.", ["peer"]);
        _requests = factory.CreateCounter("neon_registry_cache_peer_requests_total", "Blob requests to peer cache nodes, by peer and result (found, not_found, failed, rate_limited).", ["peer", "result"]);
        _up = factory.CreateGauge("neon_registry_cache_peer_up", "1 while a peer cache node answers, else 0 (its blobs come from the next node or the upstream).", ["peer"]);
        Refused = factory.CreateCounter("neon_registry_cache_peer_refused_total", "Requests marked as from a peer whose signature was missing, wrong or expired, refused with 403.");
    }

    public Counter Refused { get; }

    public void Fetched(string peer, long bytes) => _fetchedBytes.WithLabels(peer).Inc(bytes);

    public void Answered(string peer, string result) => _requests.WithLabels(peer, result).Inc();

    public void Up(string peer, bool up) => _up.WithLabels(peer).Set(up ? 1 : 0);

    /// <summary>Bytes fetched from peers so far, all of them together.</summary>
    public double FetchedBytes => _fetchedBytes.GetAllLabelValues().Sum(labels => _fetchedBytes.WithLabels(labels).Value);
}
