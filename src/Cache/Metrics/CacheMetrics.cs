using NeonRegistry.Content;
using Prometheus;

namespace NeonRegistry.Metrics;

/// <summary>
/// Cache mode's instruments, made from <see cref="RegistryMetrics.Factory"/> so they carry the <c>host</c> label:
/// how pulls were answered, fills and the clients that joined them, the upstream's latency and errors, the
/// breaker, and eviction.
/// </summary>
internal sealed class CacheMetrics
{
    private static readonly string[] Kinds = ["manifest", "blob"];

    private readonly Counter _answers;
    private readonly Counter _fills;
    private readonly Counter _fetchedBytes;
    private readonly Counter _upstreamErrors;
    private readonly Histogram _upstreamLatency;

    public CacheMetrics(RegistryMetrics registry)
    {
        var factory = registry.Factory;
        _answers = factory.CreateCounter("neon_registry_cache_answers_total", "Pulls answered by the cache, by content kind and outcome (hit, miss, stale).", ["kind", "outcome"]);
        _fills = factory.CreateCounter("neon_registry_cache_fills_total", "Blob downloads from the upstream, by result (committed, discarded).", ["result"]);
        _fetchedBytes = factory.CreateCounter("neon_registry_cache_fetched_bytes_total", "Bytes of blobs fetched from the upstream and kept.");
        CoalescedFollowers = factory.CreateCounter("neon_registry_cache_coalesced_followers_total", "Requests that joined a download another request had started, instead of asking the upstream.");
        _upstreamLatency = factory.CreateHistogram(
            "neon_registry_cache_upstream_seconds",
            "Time until the upstream's response headers, by method and status.",
            ["method", "status"],
            new HistogramConfiguration { Buckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _upstreamErrors = factory.CreateCounter("neon_registry_cache_upstream_errors_total", "Upstream requests that failed, by reason (unreachable, timeout, breaker_open, status).", ["reason"]);
        BreakerOpen = factory.CreateGauge("neon_registry_cache_upstream_breaker_open", "1 while the circuit breaker keeps requests away from the upstream, else 0.");
        Evictions = factory.CreateCounter("neon_registry_cache_evictions_total", "Blobs evicted to keep the cache within CACHE_SIZE_LIMIT.");
        BytesStored = factory.CreateGauge("neon_registry_cache_stored_bytes", "Bytes of blobs in the cache, as of the last eviction pass.");
    }

    public Counter CoalescedFollowers { get; }

    public Gauge BreakerOpen { get; }

    public Counter Evictions { get; }

    public Gauge BytesStored { get; }

    public void Answered(string kind, CacheStatus status) => _answers.WithLabels(kind, status.ToString().ToLowerInvariant()).Inc();

    /// <summary>Pulls answered with this outcome so far, manifests and blobs together.</summary>
    public double AnswerCount(CacheStatus status) => Kinds.Sum(kind => _answers.WithLabels(kind, status.ToString().ToLowerInvariant()).Value);

    public double FetchedBytes => _fetchedBytes.Value;

    public void Fetched(long bytes) => _fetchedBytes.Inc(bytes);

    public void Filled(bool committed) => _fills.WithLabels(committed ? "committed" : "discarded").Inc();

    public void UpstreamAnswered(string method, int status, TimeSpan elapsed) =>
        _upstreamLatency.WithLabels(method, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Observe(elapsed.TotalSeconds);

    public void UpstreamFailed(string reason) => _upstreamErrors.WithLabels(reason).Inc();
}
