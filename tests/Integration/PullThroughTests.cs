using System.Net;
using System.Net.Http.Json;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

public sealed class PullThroughTests
{
    [Fact]
    public async Task ColdPull_ThenWarmPull_ServesSameBytesAndAsksUpstreamOnlyOnce()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var image = await setup.Upstream.Client.PushImageAsync("team/app", "v1", layerCount: 3);

        var cold = await PullAsync(setup.Cache.Client, "team/app", "v1");
        var upstreamAfterCold = setup.Proxy.Requests.Count;
        setup.Proxy.ResetCounts();
        var warmByDigest = await PullAsync(setup.Cache.Client, "team/app", image.Digest);

        Assert.Equal(image.Manifest, cold.Manifest);
        Assert.Equal(image.Layers, cold.Layers);
        Assert.Equal(image.Config, cold.Config);
        Assert.Equal("MISS from manager-1.neon-registry-cache.cluster", cold.ManifestCacheHeader);
        Assert.True(upstreamAfterCold >= 5, $"a cold pull fetches the manifest, config and 3 layers; upstream saw {upstreamAfterCold}");
        Assert.Equal(image.Manifest, warmByDigest.Manifest);
        Assert.Equal(image.Layers, warmByDigest.Layers);
        Assert.Empty(setup.Proxy.Requests);
        Assert.StartsWith("HIT from ", warmByDigest.ManifestCacheHeader);
    }

    [Fact]
    public async Task WarmTag_WithinFreshness_AsksUpstreamNothing()
    {
        await using var setup = await PullThroughSetup.StartAsync(new Dictionary<string, string?> { ["TAG_FRESHNESS"] = "10m" });
        await setup.Upstream.Client.PushImageAsync("app", "v1");
        await PullAsync(setup.Cache.Client, "app", "v1");
        setup.Proxy.ResetCounts();

        for (var i = 0; i < 5; i++)
        {
            using var response = await setup.Cache.Client.GetAsync("/v2/app/manifests/v1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Empty(setup.Proxy.Requests);
    }

    [Fact]
    public async Task TagMovedUpstream_ServedCachedWithinWindow_FreshAfterItWithOneHead()
    {
        await using var setup = await PullThroughSetup.StartAsync(new Dictionary<string, string?> { ["TAG_FRESHNESS"] = "2s" });
        var first = await setup.Upstream.Client.PushImageAsync("app", "latest");
        await PullAsync(setup.Cache.Client, "app", "latest");
        var second = await setup.Upstream.Client.PushImageAsync("app", "latest");
        setup.Proxy.ResetCounts();

        using var within = await setup.Cache.Client.GetAsync("/v2/app/manifests/latest");
        var requestsWithin = setup.Proxy.Requests.Count;
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var after = await setup.Cache.Client.GetAsync("/v2/app/manifests/latest");

        Assert.Equal(first.Digest, within.Header("Docker-Content-Digest"));
        Assert.Equal(0, requestsWithin);
        Assert.Equal(second.Digest, after.Header("Docker-Content-Digest"));
        Assert.Equal(1, setup.Proxy.Count("HEAD", "/manifests/latest"));
        Assert.Equal(1, setup.Proxy.Count("GET", "/manifests/latest"));
    }

    [Fact]
    public async Task StaleTag_UnchangedUpstream_IsConfirmedByHeadAlone()
    {
        await using var setup = await PullThroughSetup.StartAsync(new Dictionary<string, string?> { ["TAG_FRESHNESS"] = "1ms" });
        var image = await setup.Upstream.Client.PushImageAsync("app", "v1");
        await PullAsync(setup.Cache.Client, "app", "v1");
        setup.Proxy.ResetCounts();

        using var response = await setup.Cache.Client.GetAsync("/v2/app/manifests/v1");

        Assert.Equal(image.Digest, response.Header("Docker-Content-Digest"));
        Assert.Equal(["HEAD /v2/app/manifests/v1"], setup.Proxy.Requests);
        Assert.StartsWith("HIT", response.Header("X-Cache"));
    }

    [Fact]
    public async Task Miss_UpstreamHasNothing_Returns404WithRightCode()
    {
        await using var setup = await PullThroughSetup.StartAsync();

        using var manifest = await setup.Cache.Client.GetAsync("/v2/nothing/manifests/v1");
        using var blob = await setup.Cache.Client.GetAsync($"/v2/nothing/blobs/{TestContent.DigestOf([1, 2])}");

        Assert.Equal(HttpStatusCode.NotFound, manifest.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await manifest.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.NotFound, blob.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await blob.ErrorCodeAsync());
    }

    [Fact]
    public async Task Miss_UpstreamRateLimits_Returns429WithRetryAfter()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        setup.Proxy.FailWith = 429;

        using var response = await setup.Cache.Client.GetAsync("/v2/app/manifests/v1");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("TOOMANYREQUESTS", await response.ErrorCodeAsync());
        Assert.Equal(TimeSpan.FromSeconds(17), response.Headers.RetryAfter!.Delta);
    }

    [Fact]
    public async Task TagList_UpstreamListsMoreThanOnePage_ListsEveryTagOnce()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var image = await setup.Upstream.Client.PushImageAsync("app", "tag-0000");
        var expected = Enumerable.Range(0, 1001).Select(i => $"tag-{i:D4}").ToList();
        foreach (var tag in expected.Skip(1))
        {
            using var put = await setup.Upstream.Client.PutManifestAsync("app", tag, TestContent.OciManifest, image.Manifest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        setup.Proxy.ResetCounts();
        using var response = await setup.Cache.Client.GetAsync("/v2/app/tags/list");
        var listed = (await response.Content.ReadFromJsonAsync<TagListBody>())!.Tags;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, listed);
        Assert.Equal(2, setup.Proxy.Count("GET", "/tags/list"));
    }

    private sealed record TagListBody(string Name, List<string> Tags);

    [Fact]
    public async Task UpstreamDown_CachedContentStillServed_UncachedGets503NamingUpstream()
    {
        await using var setup = await PullThroughSetup.StartAsync(new Dictionary<string, string?> { ["TAG_FRESHNESS"] = "1ms" });
        var image = await setup.Upstream.Client.PushImageAsync("app", "v1");
        await PullAsync(setup.Cache.Client, "app", "v1");
        setup.Proxy.FailWith = 503;

        var byTag = await PullAsync(setup.Cache.Client, "app", "v1");
        var byDigest = await PullAsync(setup.Cache.Client, "app", image.Digest);
        using var tags = await setup.Cache.Client.GetAsync("/v2/app/tags/list");
        using var uncached = await setup.Cache.Client.GetAsync("/v2/other/manifests/v1");

        Assert.Equal(image.Manifest, byTag.Manifest);
        Assert.StartsWith("STALE", byTag.ManifestCacheHeader);
        Assert.Equal(image.Layers, byDigest.Layers);
        Assert.Contains("v1", await tags.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, uncached.StatusCode);
        Assert.Equal("UNAVAILABLE", await uncached.ErrorCodeAsync());
        Assert.Contains(setup.Proxy.BaseAddress.Authority, await uncached.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UpstreamSendsGarbage_Uncached503_CachedServedStale()
    {
        await using var setup = await PullThroughSetup.StartAsync(new Dictionary<string, string?> { ["TAG_FRESHNESS"] = "1ms" });
        var image = await setup.Upstream.Client.PushImageAsync("app", "v1");
        await PullAsync(setup.Cache.Client, "app", "v1");
        await setup.Upstream.Client.PushImageAsync("app", "v2");
        setup.Proxy.GarbageManifests = true;

        using var uncached = await setup.Cache.Client.GetAsync("/v2/app/manifests/v2");
        // v1 moved nowhere, but HEAD cannot tell: make the cache fetch it again and meet the garbage.
        await setup.Upstream.Client.PushImageAsync("app", "v1");
        using var cached = await setup.Cache.Client.GetAsync("/v2/app/manifests/v1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, uncached.StatusCode);
        Assert.Equal("UNAVAILABLE", await uncached.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(image.Manifest, await cached.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("STALE", cached.Header("X-Cache"));
    }

    [Fact]
    public async Task UpstreamStalls_BreakerOpens_ThenRequestsFailWithoutWaiting()
    {
        await using var setup = await PullThroughSetup.StartAsync(new Dictionary<string, string?> { ["UPSTREAM_TIMEOUT"] = "2s", ["UPSTREAM_BREAK"] = "1m" });
        setup.Proxy.Stall = TimeSpan.FromSeconds(30);

        for (var i = 0; i < 3; i++)
        {
            using var timedOut = await setup.Cache.Client.GetAsync($"/v2/app{i}/manifests/v1");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, timedOut.StatusCode);
        }

        var requestsBefore = setup.Proxy.Requests.Count;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var broken = await setup.Cache.Client.GetAsync("/v2/app9/manifests/v1");
        clock.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, broken.StatusCode);
        Assert.Contains("unavailable after repeated failures", await broken.Content.ReadAsStringAsync());
        Assert.Equal(requestsBefore, setup.Proxy.Requests.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"an open breaker answers at once, not after the 2 s timeout ({clock.Elapsed})");
    }

    [Fact]
    public async Task Push_ToCache_Returns405SayingItIsACache()
    {
        await using var setup = await PullThroughSetup.StartAsync();

        using var post = await setup.Cache.Client.PostAsync("/v2/app/blobs/uploads/", null);
        using var delete = await setup.Cache.Client.DeleteAsync("/v2/app/manifests/v1");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal("UNSUPPORTED", await post.ErrorCodeAsync());
        Assert.Contains("pull-through cache", await post.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
    }

    [Fact]
    public async Task Namespace_OfAnotherRegistry_Gets404SoContainerdFallsBack()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        await setup.Upstream.Client.PushImageAsync("app", "v1");

        using var foreign = await setup.Cache.Client.GetAsync("/v2/app/manifests/v1?ns=quay.io");
        using var own = await setup.Cache.Client.GetAsync($"/v2/app/manifests/v1?ns={setup.Proxy.BaseAddress.Authority}");

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await foreign.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    internal static async Task<PulledImage> PullAsync(HttpClient client, string repository, string reference)
    {
        using var response = await client.GetAsync($"/v2/{repository}/manifests/{reference}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var manifest = await response.Content.ReadAsByteArrayAsync();
        using var json = System.Text.Json.JsonDocument.Parse(manifest);
        var config = await client.GetByteArrayAsync($"/v2/{repository}/blobs/{json.RootElement.GetProperty("config").GetProperty("digest").GetString()}");
        var layers = new List<byte[]>();
        foreach (var layer in json.RootElement.GetProperty("layers").EnumerateArray())
        {
            layers.Add(await client.GetByteArrayAsync($"/v2/{repository}/blobs/{layer.GetProperty("digest").GetString()}"));
        }

        return new PulledImage(manifest, config, layers, response.Header("X-Cache"));
    }

    internal sealed record PulledImage(byte[] Manifest, byte[] Config, IReadOnlyList<byte[]> Layers, string ManifestCacheHeader);
}
