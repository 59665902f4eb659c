using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>/metrics: Prometheus text without a login, requests by method, route kind and status, body bytes, host label.</summary>
public sealed class MetricsTests
{
    private const string Requests = "neon_registry_http_requests_total";
    private const string Duration = "neon_registry_http_request_duration_seconds_count";
    private const string Received = "neon_registry_http_request_body_bytes_total";
    private const string Served = "neon_registry_http_response_body_bytes_total";

    [Fact]
    public async Task Metrics_WithoutLogin_ServesPrometheusTextLabelledWithHost()
    {
        await using var server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["HOST"] = "manager-2.neon-registry-cache.cluster" });
        using var anonymous = server.CreateClient();
        (await anonymous.GetAsync("/healthz")).Dispose();

        using var response = await anonymous.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var metrics = new PrometheusText(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, metrics.Value(Requests, ("method", "GET"), ("route", "healthz"), ("status", "200")));
        Assert.All(metrics.Series(Requests), labels => Assert.Equal("manager-2.neon-registry-cache.cluster", labels["host"]));
        Assert.NotNull(metrics.Value("process_cpu_seconds_total"));
    }

    [Fact]
    public async Task Requests_CountedAndTimedByMethodRouteKindAndStatus()
    {
        await using var server = await RegistryServer.StartAsync();
        using var anonymous = server.CreateClient();
        (await server.Client.GetAsync("/v2/")).Dispose();
        (await server.Client.GetAsync("/v2/")).Dispose();
        (await anonymous.GetAsync("/v2/app/manifests/latest")).Dispose();
        (await server.Client.GetAsync("/v2/app/manifests/latest")).Dispose();
        (await server.Client.DeleteAsync("/v2/_catalog")).Dispose();
        (await server.Client.GetAsync("/v2/no/such/endpoint")).Dispose();

        var metrics = await ScrapeAsync(server);

        Assert.Equal(2, metrics.Value(Requests, ("method", "GET"), ("route", "base"), ("status", "200")));
        Assert.Equal(2, metrics.Value(Duration, ("method", "GET"), ("route", "base"), ("status", "200")));
        Assert.Equal(1, metrics.Value(Requests, ("method", "GET"), ("route", "manifest"), ("status", "401")));
        Assert.Equal(1, metrics.Value(Requests, ("method", "GET"), ("route", "manifest"), ("status", "404")));
        Assert.Equal(1, metrics.Value(Requests, ("method", "DELETE"), ("route", "catalog"), ("status", "405")));
        Assert.Equal(1, metrics.Value(Requests, ("method", "GET"), ("route", "other"), ("status", "404")));
    }

    [Fact]
    public async Task BlobPushAndPull_CountBodyBytesByRouteKind()
    {
        await using var server = await RegistryServer.StartAsync();
        var blob = TestContent.RandomBytes(100_000);
        var digest = await server.Client.PushBlobAsync("app", blob);
        using (var pulled = await server.Client.GetAsync($"/v2/app/blobs/{digest}"))
        {
            Assert.Equal(blob, await pulled.Content.ReadAsByteArrayAsync());
        }

        using (var head = new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{digest}"))
        {
            (await server.Client.SendAsync(head)).Dispose();
        }

        var metrics = await ScrapeAsync(server);

        Assert.Equal(blob.Length, metrics.Value(Received, ("method", "POST"), ("route", "upload_start")));
        Assert.Equal(blob.Length, metrics.Value(Served, ("method", "GET"), ("route", "blob")));
        Assert.Equal(0, metrics.Value(Served, ("method", "HEAD"), ("route", "blob")));
        Assert.Equal(1, metrics.Value(Requests, ("method", "HEAD"), ("route", "blob"), ("status", "200")));
    }

    [Fact]
    public async Task ManifestTagListAndErrorBodies_CountTheBytesSent()
    {
        await using var server = await RegistryServer.StartAsync();
        await server.Client.PushImageAsync("app", "v1");
        var manifest = await server.Client.GetByteArrayAsync("/v2/app/manifests/v1");
        using var unknown = await server.Client.GetAsync("/v2/app/manifests/v2");
        var error = await unknown.Content.ReadAsByteArrayAsync();
        var tags = await server.Client.GetByteArrayAsync("/v2/app/tags/list");
        using (var head = new HttpRequestMessage(HttpMethod.Head, "/v2/app/manifests/v1"))
        {
            (await server.Client.SendAsync(head)).Dispose();
        }

        var metrics = await ScrapeAsync(server);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.NotEmpty(error);
        Assert.Equal(manifest.Length + error.Length, metrics.Value(Served, ("method", "GET"), ("route", "manifest")));
        Assert.Equal(tags.Length, metrics.Value(Served, ("method", "GET"), ("route", "tags")));
        Assert.Equal(0, metrics.Value(Served, ("method", "HEAD"), ("route", "manifest")));
    }

    [Fact]
    public async Task ChunkedUpload_WithoutContentLength_CountsTheBytesRead()
    {
        await using var server = await RegistryServer.StartAsync();
        var blob = TestContent.RandomBytes(70_000);
        using var start = await server.Client.PostAsync("/v2/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        // A stream of unknown length goes out with chunked transfer encoding, as docker push sends layers.
        var body = new StreamContent(new UnseekableStream(blob));
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var patch = await server.Client.PatchAsync(start.Headers.Location, body);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);

        var metrics = await ScrapeAsync(server);

        Assert.Equal(blob.Length, metrics.Value(Received, ("method", "PATCH"), ("route", "upload_session")));
    }

    [Fact]
    public async Task EveryRegistryMetric_OfBothModes_IsInReadmesMetricsTable()
    {
        var readme = await File.ReadAllTextAsync(RepositoryRoot.File("README.md"));
        await using var primary = await RegistryServer.StartAsync();
        await using var cache = await RegistryServer.StartCacheAsync(new Uri("http://127.0.0.1:9/"), user: null, password: null);

        var names = (await ScrapeAsync(primary)).Text.Split('\n').Concat((await ScrapeAsync(cache)).Text.Split('\n'))
            .Where(line => line.StartsWith("# HELP neon_registry_", StringComparison.Ordinal))
            .Select(line => line.Split(' ')[2])
            .Distinct()
            .ToList();

        Assert.Contains("neon_registry_cache_fills_total", names);
        Assert.All(names, name => Assert.Contains($"| `{name}` |", readme));
    }

    private static async Task<PrometheusText> ScrapeAsync(RegistryServer server)
    {
        using var anonymous = server.CreateClient();
        return new PrometheusText(await anonymous.GetStringAsync("/metrics"));
    }

    /// <summary>Hides the length of its bytes, so HttpClient cannot send a Content-Length.</summary>
    private sealed class UnseekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
