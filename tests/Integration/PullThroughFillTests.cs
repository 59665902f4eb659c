using System.Net;
using NeonRegistry.Integration.Support;
using NeonRegistry.Metrics;
using NeonRegistry.Proxy;
using Microsoft.Extensions.DependencyInjection;

namespace NeonRegistry.Integration;

/// <summary>How a cache fetches blobs: once for many clients, streamed as it arrives, verified before it is kept.</summary>
public sealed class PullThroughFillTests
{
    [Fact]
    public async Task TwentyConcurrentPulls_OneUpstreamGetPerBlobAndManifest_FollowersStreamBeforeFillEnds()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var big = TestContent.RandomBytes(1024 * 1024);
        var config = TestContent.Config([]);
        var bigDigest = await setup.Upstream.Client.PushBlobAsync("app", big);
        await setup.Upstream.Client.PushBlobAsync("app", config);
        var manifest = TestContent.Manifest(TestContent.OciManifest, TestContent.OciConfig, config, [(TestContent.OciLayer, big)]);
        (await setup.Upstream.Client.PutManifestAsync("app", "v1", TestContent.OciManifest, manifest)).Dispose();
        // About 1.6 s for the whole blob: long enough to see clients reading before the fill ends.
        setup.Proxy.TrickleBytes = 32 * 1024;

        var manifests = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => setup.Cache.Client.GetByteArrayAsync("/v2/app/manifests/v1")));
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            setup.Cache.Client.GetAsync($"/v2/app/blobs/{bigDigest}", HttpCompletionOption.ResponseHeadersRead)));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStreamAsync()));
        var firstBytes = await Task.WhenAll(bodies.Select(async b => await b.ReadAsync(new byte[1])));
        var committedWhenAllHadBytes = File.Exists(BlobPath(setup.Cache, bigDigest));
        var contents = await Task.WhenAll(bodies.Select(async b =>
        {
            using var rest = new MemoryStream();
            await b.CopyToAsync(rest);
            return rest.ToArray();
        }));

        Assert.All(manifests, m => Assert.Equal(manifest, m));
        Assert.All(firstBytes, n => Assert.Equal(1, n));
        Assert.False(committedWhenAllHadBytes, "every client had bytes while the single download was still running");
        Assert.All(contents, c => Assert.Equal(big[1..], c));
        Assert.Equal(1, setup.Proxy.Count("GET", $"/blobs/{bigDigest}"));
        Assert.Equal(1, setup.Proxy.Count("GET", "/manifests/v1"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task ClientDisconnects_FillStillCompletes()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var blob = TestContent.RandomBytes(512 * 1024);
        var digest = await setup.Upstream.Client.PushBlobAsync("app", blob);
        setup.Proxy.TrickleBytes = 64 * 1024;

        using (var response = await setup.Cache.Client.GetAsync($"/v2/app/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead))
        {
            await (await response.Content.ReadAsStreamAsync()).ReadExactlyAsync(new byte[10]);
        }

        await WaitUntilAsync(() => File.Exists(BlobPath(setup.Cache, digest)), TimeSpan.FromSeconds(20));
        setup.Proxy.ResetCounts();
        Assert.Equal(blob, await setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}"));
        Assert.Empty(setup.Proxy.Requests);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task BadUpstreamBody_AbortsClientAndIsNeverCommitted(bool truncate, bool corrupt)
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var blob = TestContent.RandomBytes(300 * 1024);
        var digest = await setup.Upstream.Client.PushBlobAsync("app", blob);
        setup.Proxy.TruncateBlobs = truncate;
        setup.Proxy.CorruptBlobs = corrupt;

        var failure = await Record.ExceptionAsync(() => setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}"));
        await Task.Delay(200);
        var committed = File.Exists(BlobPath(setup.Cache, digest));
        var leftovers = Directory.EnumerateFiles(Path.GetDirectoryName(BlobPath(setup.Cache, digest))!, ".tmp-*").ToList();
        setup.Proxy.TruncateBlobs = false;
        setup.Proxy.CorruptBlobs = false;
        var retried = await setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}");

        Assert.IsAssignableFrom<HttpRequestException>(failure);
        Assert.False(committed);
        Assert.Empty(leftovers);
        Assert.Equal(blob, retried);
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(BlobPath(setup.Cache, digest))!, ".tmp-*"));
    }

    [Fact]
    public async Task SizeLimit_EvictsLeastRecentlyUsed_AndEveryPullStillWorks()
    {
        await using var setup = await PullThroughSetup.StartAsync(new Dictionary<string, string?> { ["CACHE_SIZE_LIMIT"] = "350KiB" });
        var image = await setup.Upstream.Client.PushImageAsync("app", "v1", layerCount: 1);
        await PullThroughTests.PullAsync(setup.Cache.Client, "app", "v1");
        var blobs = Enumerable.Range(0, 5).Select(_ => TestContent.RandomBytes(100 * 1024)).ToList();
        var digests = new List<string>();
        foreach (var blob in blobs)
        {
            digests.Add(await setup.Upstream.Client.PushBlobAsync("app", blob));
        }

        foreach (var digest in digests)
        {
            await setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}");
            await Task.Delay(20);
        }

        setup.Cache.Services.GetRequiredService<CacheEvictor>().EvictOnce();
        // Counted by the metric, which includes a background pass that may have come first.
        var evicted = setup.Cache.Services.GetRequiredService<CacheMetrics>().Evictions.Value;
        var stored = Directory.EnumerateFiles(Path.Combine(setup.Cache.StoragePath, "blobs"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

        Assert.True(evicted >= 2, $"evicted {evicted}");
        Assert.True(stored <= 350 * 1024, $"the cache holds {stored} bytes");
        Assert.False(File.Exists(BlobPath(setup.Cache, digests[0])), "the least recently used blob goes first");
        Assert.True(File.Exists(BlobPath(setup.Cache, digests[^1])), "the most recently used blob stays");
        Assert.True(File.Exists(BlobPath(setup.Cache, image.Digest)), "manifests are never evicted");
        for (var i = 0; i < blobs.Count; i++)
        {
            Assert.Equal(blobs[i], await setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digests[i]}"));
        }
    }

    [Fact]
    public async Task SizeLimit_StoreIsMeasuredAgainOnlyOnceNewBlobsMayHaveCrossedIt()
    {
        await using var setup = await PullThroughSetup.StartAsync(new Dictionary<string, string?> { ["CACHE_SIZE_LIMIT"] = "350KiB" });
        var evictor = setup.Cache.Services.GetRequiredService<CacheEvictor>();
        var evictions = setup.Cache.Services.GetRequiredService<CacheMetrics>().Evictions;
        var digests = new List<string>();
        foreach (var blob in Enumerable.Range(0, 4).Select(_ => TestContent.RandomBytes(100 * 1024)))
        {
            digests.Add(await setup.Upstream.Client.PushBlobAsync("app", blob));
        }

        // The first measure, at start-up.
        await WaitUntilAsync(() => !evictor.IsMeasureDue, TimeSpan.FromSeconds(10));
        await setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digests[0]}");
        var dueUnderLimit = evictor.IsMeasureDue;
        foreach (var digest in digests.Skip(1))
        {
            await setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}");
        }

        Assert.False(dueUnderLimit, "100 KiB stored under a 350 KiB limit needs no measure");
        // Over the limit: due, unless the background pass has already measured and evicted.
        Assert.True(evictor.IsMeasureDue || evictions.Value > 0, "400 KiB stored makes a measure due");
        Assert.True(evictor.EvictOnce() > 0 || evictions.Value > 0);
        Assert.False(evictor.IsMeasureDue);
    }

    [Fact]
    public async Task Eviction_DeletesTempFilesOfDownloadsAbandonedLongAgo_AndNoOthers()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var directory = Path.Combine(setup.Cache.StoragePath, "blobs", "sha256", "ab");
        Directory.CreateDirectory(directory);
        var abandoned = Path.Combine(directory, ".tmp-abandoned");
        var running = Path.Combine(directory, ".tmp-running");
        var judged = Path.Combine(directory, ".tmp-judged-ab" + new string('0', 62));
        foreach (var file in new[] { abandoned, running, judged })
        {
            await File.WriteAllBytesAsync(file, new byte[1024]);
        }

        File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow - TimeSpan.FromHours(2));
        File.SetLastWriteTimeUtc(judged, DateTime.UtcNow - TimeSpan.FromHours(2));

        setup.Cache.Services.GetRequiredService<CacheEvictor>().EvictOnce();

        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(running));
        Assert.True(File.Exists(judged), "a blob garbage collection set aside is left to it");
    }

    [Fact]
    public async Task Head_BlobNotCached_IsAnsweredFromTheUpstreamsHeadWithoutFetchingIt()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var content = TestContent.RandomBytes(64 * 1024);
        var digest = await setup.Upstream.Client.PushBlobAsync("app", content);
        setup.Proxy.ResetCounts();

        using var head = await setup.Cache.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{digest}"));
        using var missing = await setup.Cache.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{TestContent.DigestOf([1, 2, 3])}"));
        var upstreamGetsAfterHeads = setup.Proxy.Count("GET", "/blobs/");
        var cachedAfterHeads = File.Exists(BlobPath(setup.Cache, digest));
        var pulled = await setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}");
        using var headWhenCached = await setup.Cache.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{digest}"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(content.Length, head.Content.Headers.ContentLength);
        Assert.Equal(digest, head.Header("Docker-Content-Digest"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(0, upstreamGetsAfterHeads);
        Assert.False(cachedAfterHeads);
        Assert.Equal(content, pulled);
        Assert.Equal(content.Length, headWhenCached.Content.Headers.ContentLength);
        Assert.Equal(2, setup.Proxy.Count("HEAD", "/blobs/"));
    }

    [Fact]
    public async Task Head_BlobInStorageThatRefusesHeads_IsAnsweredByFetchingIt()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var content = TestContent.RandomBytes(64 * 1024);
        var digest = await setup.Upstream.Client.PushBlobAsync("app", content);
        setup.Proxy.RedirectBlobsToStorage = true;

        using var head = await setup.Cache.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{digest}"));
        var pulled = await setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(digest, head.Header("Docker-Content-Digest"));
        Assert.Equal(content, pulled);
        Assert.Equal(1, setup.Proxy.Count("HEAD", "/storage/"));
        Assert.Equal(1, setup.Proxy.Count("GET", "/storage/"));
    }

    private static string BlobPath(RegistryServer server, string digest)
    {
        var hex = digest["sha256:".Length..];
        return Path.Combine(server.StoragePath, "blobs", "sha256", hex[..2], hex);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {timeout}");
            await Task.Delay(50);
        }
    }
}
