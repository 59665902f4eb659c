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
    private readonly Counter _answers;
    private readonly Counter _fills;
    private readonly Counter _fetchedBytes;
    private readonly Counter _upstreamErrors;
    private readonly Histogram _upstreamLatency;
    private readonly Gauge _breakerOpen;
    private readonly Counter _fileReads;

    public CacheMetrics(RegistryMetrics registry)
    {
        var factory = registry.Factory;
        _answers = factory.CreateCounter("neon_registry_cache_answers_total", "Pulls answered by the cache, by content kind, outcome (hit, miss, stale) and upstream.", ["kind", "outcome", "upstream"]);
        _fills = factory.CreateCounter("neon_registry_cache_fills_total", "Blob downloads from the upstream, by result (committed, discarded).", ["result"]);
        _fetchedBytes = factory.CreateCounter("neon_registry_cache_fetched_bytes_total", "Bytes of blobs fetched from the upstream and kept.");
        CoalescedFollowers = factory.CreateCounter("neon_registry_cache_coalesced_followers_total", "Requests that joined a download another request had started, instead of asking the upstream.");
        _upstreamLatency = factory.CreateHistogram(
            "neon_registry_cache_upstream_seconds",
            "Time until an upstream's response headers, by upstream, method and status.",
            ["upstream", "method", "status"],
            new HistogramConfiguration { Buckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _upstreamErrors = factory.CreateCounter("neon_registry_cache_upstream_errors_total", "Upstream requests that failed, by upstream and reason (unreachable, timeout, breaker_open, status).", ["upstream", "reason"]);
        _breakerOpen = factory.CreateGauge("neon_registry_cache_upstream_breaker_open", "1 while the circuit breaker keeps requests away from the upstream, else 0, by upstream.", ["upstream"]);
        _fileReads = factory.CreateCounter("neon_registry_cache_upstreams_file_reads_total", "Times the upstreams file was read again after it changed, by result (applied, refused: the last good upstreams stay).", ["result"]);
        Evictions = factory.CreateCounter("neon_registry_cache_evictions_total", "Blobs evicted to keep the cache within CACHE_SIZE_LIMIT.");
        BytesStored = factory.CreateGauge("neon_registry_cache_stored_bytes", "Bytes of blobs in the cache, as of the last eviction pass.");
    }

    public Counter CoalescedFollowers { get; }


    public Counter Evictions { get; }

    public Gauge BytesStored { get; }

    public void Answered(string kind, CacheStatus status, string upstream) => _answers.WithLabels(kind, status.ToString().ToLowerInvariant(), upstream).Inc();

    /// <summary>Pulls answered with this outcome so far, manifests and blobs of every upstream together.</summary>
    public double AnswerCount(CacheStatus status)
    {
        var outcome = status.ToString().ToLowerInvariant();
        return _answers.GetAllLabelValues().Where(labels => labels[1] == outcome).Sum(labels => _answers.WithLabels(labels).Value);
    }

    public double FetchedBytes => _fetchedBytes.Value;

    public void Fetched(long bytes) => _fetchedBytes.Inc(bytes);

    public void Filled(bool committed) => _fills.WithLabels(committed ? "committed" : "discarded").Inc();

    public void UpstreamAnswered(string upstream, string method, int status, TimeSpan elapsed) =>
        _upstreamLatency.WithLabels(upstream, method, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Observe(elapsed.TotalSeconds);

    public void UpstreamFailed(string upstream, string reason) => _upstreamErrors.WithLabels(upstream, reason).Inc();

    /// <summary>Each upstream's breaker, as of this scrape.</summary>
    public void SetBreakers(IEnumerable<(string Upstream, bool Open)> breakers)
    {
        foreach (var (upstream, open) in breakers)
        {
            _breakerOpen.WithLabels(upstream).Set(open ? 1 : 0);
        }
    }

    public void UpstreamsFileRead(bool applied) => _fileReads.WithLabels(applied ? "applied" : "refused").Inc();

    /// <summary>Drops the series of an upstream the upstreams file no longer names.</summary>
    public void ForgetUpstream(string upstream)
    {
        _breakerOpen.RemoveLabelled(upstream);
        foreach (var labels in _upstreamErrors.GetAllLabelValues().Where(labels => labels[0] == upstream).ToList())
        {
            _upstreamErrors.RemoveLabelled(labels);
        }
    }
}
