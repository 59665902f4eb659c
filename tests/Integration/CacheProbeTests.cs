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
}
