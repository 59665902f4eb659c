using System.Net;
using System.Text.Json;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>Health, metrics and the healthcheck command in cache mode, where clients log in to nothing.</summary>
public sealed class CacheProbeTests
{
    [Fact]
    public async Task Cache_ProbesAnswer_AndPullsAreCountedUnderItsHost()
    {
        await using var upstream = await RegistryServer.StartAsync();
        var blob = TestContent.RandomBytes(30_000);
        var digest = await upstream.Client.PushBlobAsync("library/app", blob);
        await using var cache = await RegistryServer.StartCacheAsync(upstream.BaseAddress, RegistryServer.Username, RegistryServer.Password);

        using var alive = await cache.Client.GetAsync("/healthz");
        using var ready = await cache.Client.GetAsync("/readyz");
        using var pulled = await cache.Client.GetAsync($"/v2/library/app/blobs/{digest}");
        Assert.Equal(blob, await pulled.Content.ReadAsByteArrayAsync());
        var metrics = new PrometheusText(await cache.Client.GetStringAsync("/metrics"));

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("manager-1.neon-registry-cache.cluster", body.RootElement.GetProperty("host").GetString());
        var host = ("host", "manager-1.neon-registry-cache.cluster");
        Assert.Equal(1, metrics.Value("neon_registry_http_requests_total", ("method", "GET"), ("route", "blob"), ("status", "200"), host));
        Assert.Equal(blob.Length, metrics.Value("neon_registry_http_response_body_bytes_total", ("method", "GET"), ("route", "blob"), host));
    }

    [Fact]
    public async Task HealthCheckCommand_CacheSettings_Exits0()
    {
        await using var upstream = await RegistryServer.StartAsync();
        await using var cache = await RegistryServer.StartCacheAsync(upstream.BaseAddress, RegistryServer.Username, RegistryServer.Password);
        // The settings a cache container has: no login of its own and no SECRET.
        var environment = new Dictionary<string, string?>
        {
            ["REMOTE_URL"] = upstream.BaseAddress.ToString(),
            ["USER"] = RegistryServer.Username,
            ["PASSWORD"] = RegistryServer.Password,
            ["PORT"] = cache.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        var (exitCode, stdout, stderr) = await RegistryCommand.RunAsync(environment, "healthcheck");

        Assert.True(exitCode == 0, stdout + stderr);
        Assert.Contains($":{environment["PORT"]}/healthz: 200", stdout);
    }

    [Fact]
    public async Task CacheMetrics_CountHitsMissesFillsAndFollowers()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var blob = TestContent.RandomBytes(256 * 1024);
        var digest = await setup.Upstream.Client.PushBlobAsync("app", blob);
        setup.Proxy.TrickleBytes = 64 * 1024;

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}")));
        await setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}");
        var metrics = new PrometheusText(await setup.Cache.Client.GetStringAsync("/metrics"));

        var host = ("host", "manager-1.neon-registry-cache.cluster");
        Assert.Equal(3, metrics.Value("neon_registry_cache_answers_total", ("kind", "blob"), ("outcome", "miss"), host));
        Assert.Equal(1, metrics.Value("neon_registry_cache_answers_total", ("kind", "blob"), ("outcome", "hit"), host));
        Assert.Equal(2, metrics.Value("neon_registry_cache_coalesced_followers_total", host));
        Assert.Equal(1, metrics.Value("neon_registry_cache_fills_total", ("result", "committed"), host));
        Assert.Equal(0, metrics.Value("neon_registry_cache_upstream_breaker_open", host));
    }

    [Fact]
    public async Task Readiness_UpstreamRefusesLogin_SaysDegraded_AndAsksAtMostOncePerMinute()
    {
        await using var upstream = await RegistryServer.StartAsync();
        await using var cache = await RegistryServer.StartCacheAsync(upstream.BaseAddress, RegistryServer.Username, "wrong");

        var probes = new List<(HttpStatusCode Status, string Body)>();
        for (var i = 0; i < 3; i++)
        {
            using var ready = await cache.Client.GetAsync("/readyz");
            probes.Add((ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        }

        using var anonymous = upstream.CreateClient();
        var upstreamMetrics = new PrometheusText(await anonymous.GetStringAsync("/metrics"));

        Assert.All(probes, p => Assert.Equal(HttpStatusCode.OK, p.Status));
        Assert.All(probes, p => Assert.Contains("\"degraded\"", p.Body));
        Assert.All(probes, p => Assert.Contains("upstream refuses USER/PASSWORD", p.Body.Replace($"upstream {upstream.Authority} ", "upstream ")));
        // One login tried for three probes, and not sent twice when refused.
        Assert.Equal(1, upstreamMetrics.Value("neon_registry_password_checks_total", ("result", "invalid")));
    }

    [Fact]
    public async Task Readiness_UpstreamDown_StaysReadyButSaysDegraded()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        using var before = await setup.Cache.Client.GetAsync("/readyz");
        await setup.Proxy.DisposeAsync();

        using var after = await setup.Cache.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Contains("\"healthy\"", await before.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var body = await after.Content.ReadAsStringAsync();
        Assert.Contains("\"degraded\"", body);
        Assert.Contains("unreachable", body);
    }
}
