using Microsoft.Extensions.DependencyInjection;
using NeonRegistry.Integration.Support;
using NeonRegistry.Metrics;

namespace NeonRegistry.Integration;

/// <summary>
/// CACHE_SIZE_LIMIT holds at every fill, not only at the background pass: room is made before a fill of known
/// length, and after a fill of unknown length.
/// </summary>
public sealed class CacheSizeLimitTests
{
    private const int Limit = 350 * 1024;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SequentialFills_NeverLeaveTheStoreOverTheLimit(bool chunked)
    {
        await using var setup = await PullThroughSetup.StartAsync(new Dictionary<string, string?> { ["CACHE_SIZE_LIMIT"] = "350KiB" });
        var metrics = setup.Cache.Services.GetRequiredService<CacheMetrics>();
        setup.Proxy.ChunkedBlobs = chunked;
        var blobs = Enumerable.Range(0, 6).Select(_ => TestContent.RandomBytes(100 * 1024)).ToList();
        var digests = new List<string>();
        foreach (var blob in blobs)
        {
            digests.Add(await setup.Upstream.Client.PushBlobAsync("app", blob));
        }

        var storedAfterEachFill = new List<long>();
        for (var i = 0; i < digests.Count; i++)
        {
            Assert.Equal(blobs[i], await setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digests[i]}"));
            // Without a length the client can have every byte before the fill commits; the fill counts itself once done.
            var filled = i + 1;
            await WaitUntilAsync(async () => await CommittedFillsAsync(setup) == filled);
            storedAfterEachFill.Add(StoredBytes(setup.Cache));
        }

        Assert.All(storedAfterEachFill, bytes => Assert.InRange(bytes, 0, Limit));
        Assert.True(File.Exists(BlobPath(setup.Cache, digests[^1])), "the blob just fetched is kept");
        Assert.True(metrics.Evictions.Value >= 3, $"evicted {metrics.Evictions.Value}");
    }

    private static async Task<double> CommittedFillsAsync(PullThroughSetup setup)
    {
        var text = new PrometheusText(await setup.Cache.Client.GetStringAsync("/metrics"));
        return text.Value("neon_registry_cache_fills_total", ("result", "committed")) ?? 0;
    }

    private static long StoredBytes(RegistryServer server) =>
        Directory.EnumerateFiles(Path.Combine(server.StoragePath, "blobs"), "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Sum(f => new FileInfo(f).Length);

    private static string BlobPath(RegistryServer server, string digest)
    {
        var hex = digest["sha256:".Length..];
        return Path.Combine(server.StoragePath, "blobs", "sha256", hex[..2], hex);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 20 s");
            await Task.Delay(50);
        }
    }
}
