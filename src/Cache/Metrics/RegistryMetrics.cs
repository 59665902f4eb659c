using NeonRegistry.Configuration;
using Prometheus;

namespace NeonRegistry.Metrics;

/// <summary>
/// The Prometheus instruments of one registry host. They live in a collector registry of their own, so two hosts
/// in one process (as in tests) never mix their counts, and every series carries <c>host</c> = HOST, so replicas
/// behind one service name stay apart. Mode-specific instruments belong here beside these, made from
/// <see cref="Factory"/> so they carry the same label: cache mode's hits, misses, fills, coalesced followers,
/// upstream latency and errors, breaker state, evictions and bytes stored.
/// </summary>
internal sealed class RegistryMetrics
{
    private static readonly string[] RequestLabels = ["method", "route", "status"];
    private static readonly string[] BodyLabels = ["method", "route"];

    // From a tag lookup (milliseconds) to a multi-gigabyte layer over a slow link (minutes).
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Counter _received;
    private readonly Counter _served;

    public RegistryMetrics(RegistryOptions options)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Registry.SetStaticLabels(new Dictionary<string, string> { ["host"] = options.InstanceName });
        DotNetStats.Register(Registry);
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);

        _requests = Factory.CreateCounter("neon_registry_http_requests_total", "HTTP requests answered, by method, route kind and status.", RequestLabels);
        _duration = Factory.CreateHistogram(
            "neon_registry_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response, by method, route kind and status.",
            RequestLabels,
            new HistogramConfiguration { Buckets = DurationBuckets });
        _received = Factory.CreateCounter("neon_registry_http_request_body_bytes_total", "Bytes of request bodies read (pushed content), by method and route kind.", BodyLabels);
        _served = Factory.CreateCounter("neon_registry_http_response_body_bytes_total", "Bytes of response bodies sent (pulled content), by method and route kind.", BodyLabels);
        InProgress = Factory.CreateGauge("neon_registry_http_requests_in_progress", "HTTP requests being answered now.");
        PasswordChecks = Factory.CreateCounter(
            "neon_registry_password_checks_total",
            "bcrypt checks of a login that was not remembered, by result (valid, invalid); a remembered login costs none.",
            ["result"]);
    }

    public CollectorRegistry Registry { get; }

    public IMetricFactory Factory { get; }

    public Gauge InProgress { get; }

    public Counter PasswordChecks { get; }

    /// <summary>Bytes of response bodies sent so far for GETs of this route kind (e.g. <c>blob</c>).</summary>
    public double BytesServed(string route) => _served.WithLabels("GET", route).Value;

    public void RecordRequest(string method, string route, int status, TimeSpan elapsed, long bytesReceived, long bytesServed)
    {
        var statusLabel = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _requests.WithLabels(method, route, statusLabel).Inc();
        _duration.WithLabels(method, route, statusLabel).Observe(elapsed.TotalSeconds);
        _received.WithLabels(method, route).Inc(bytesReceived);
        _served.WithLabels(method, route).Inc(bytesServed);
    }
}
