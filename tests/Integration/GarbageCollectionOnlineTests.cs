using System.Net;
using NeonRegistry.Integration.Support;
using NeonRegistry.Maintenance;
using NeonRegistry.Storage;

namespace NeonRegistry.Integration;

/// <summary>
/// Garbage collection on the store of a running registry that keeps taking pushes, without read-only mode: the
/// grace period, and pushes renewing the age of what they reuse, keep every push whole.
/// </summary>
public sealed class GarbageCollectionOnlineTests
{
    private static readonly TimeSpan Old = TimeSpan.FromHours(2);

    [Fact]
    public async Task GarbageCollect_WhilePushesRun_EveryPushedImageStaysWholeAndOldGarbageGoes()
    {
        await using var server = await RegistryServer.StartAsync();
        var garbage = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            garbage.Add(await server.Client.PushBlobAsync("app", TestContent.RandomBytes(500)));
        }

        StoreFiles.Backdate(server.StoragePath, Old);
        var pushes = Task.Run(() => PushAsync(server.Client, count: 8));
        var collector = new GarbageCollector(new StorageLayout(server.StoragePath), TimeProvider.System);
        var runs = new List<GarbageCollectionSummary>();
        do
        {
            runs.Add(await collector.RunAsync(new GarbageCollectionOptions { DeleteUntagged = true }, NullMaintenanceReporter.Instance, CancellationToken.None));
        }
        while (!pushes.IsCompleted);

        var pushed = await pushes;

        Assert.True(runs.Count > 1, "collection ran only once, so not alongside the pushes");
        foreach (var (manifests, blobs) in pushed)
        {
            foreach (var manifest in manifests)
            {
                using var response = await server.Client.GetAsync($"/v2/app/manifests/{manifest}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            foreach (var blob in blobs)
            {
                Assert.Equal(blob, TestContent.DigestOf(await server.Client.GetByteArrayAsync($"/v2/app/blobs/{blob}")));
            }
        }

        Assert.Equal(garbage.Count, runs.Sum(r => r.BlobsDeleted));
        foreach (var blob in garbage)
        {
            using var response = await server.Client.GetAsync($"/v2/app/blobs/{blob}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Theory]
    [InlineData("1h", HttpStatusCode.Created)]
    [InlineData("0s", HttpStatusCode.BadRequest)]
    public async Task GarbageCollect_BetweenALayerUploadAndItsManifest_GraceDecidesWhetherThePushSurvives(string grace, HttpStatusCode expected)
    {
        await using var server = await RegistryServer.StartAsync();
        var (layer, diffId) = TestContent.RandomLayer(1000);
        var config = TestContent.Config([diffId]);
        await server.Client.PushBlobAsync("app", layer);
        await server.Client.PushBlobAsync("app", config);
        await Task.Delay(50);

        var (exitCode, _, _) = await MaintenanceRun.RunAsync(server.StoragePath, ["garbage-collect", "--grace", grace]);
        var manifest = TestContent.Manifest(TestContent.OciManifest, TestContent.OciConfig, config, [(TestContent.OciLayer, layer)]);
        using var response = await server.Client.PutManifestAsync("app", "v1", TestContent.OciManifest, manifest);

        Assert.Equal(0, exitCode);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task GarbageCollect_OldUnreferencedLayerReusedByAManifestPushedAfterTheMark_IsKept()
    {
        await using var server = await RegistryServer.StartAsync();
        var (layer, diffId) = TestContent.RandomLayer(1000);
        var layerDigest = await server.Client.PushBlobAsync("app", layer);
        StoreFiles.Backdate(server.StoragePath, Old);
        var config = TestContent.Config([diffId]);
        var manifest = TestContent.Manifest(TestContent.OciManifest, TestContent.OciConfig, config, [(TestContent.OciLayer, layer)]);
        var status = (HttpStatusCode)0;

        // As a client does after HEAD says the layer is there: only the config and the manifest are sent.
        var reporter = new PhaseHook("sweeping blobs", () =>
        {
            server.Client.PushBlobAsync("app", config).GetAwaiter().GetResult();
            using var response = server.Client.PutManifestAsync("app", "v1", TestContent.OciManifest, manifest).GetAwaiter().GetResult();
            status = response.StatusCode;
        });
        var summary = await Task.Run(() => new GarbageCollector(new StorageLayout(server.StoragePath), TimeProvider.System)
            .RunAsync(new GarbageCollectionOptions(), reporter, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(0, summary.BlobsDeleted);
        Assert.Equal(layer, await server.Client.GetByteArrayAsync($"/v2/app/blobs/{layerDigest}"));
    }

    /// <summary>
    /// Pushes images, every other one multi-platform (children untagged first, then the tagged index), and returns
    /// for each the references a pull fetches as manifests (tag, and children by digest) and the blobs it fetches.
    /// </summary>
    private static async Task<List<(List<string> Manifests, List<string> Blobs)>> PushAsync(HttpClient client, int count)
    {
        var pushed = new List<(List<string>, List<string>)>();
        for (var i = 0; i < count; i++)
        {
            var tag = $"v{i}";
            if (i % 2 == 0)
            {
                var image = await client.PushImageAsync("app", tag);
                pushed.Add(([tag, image.Digest], BlobsOf(image).ToList()));
                continue;
            }

            var children = new List<PushedImage>();
            foreach (var architecture in new[] { "amd64", "arm64" })
            {
                var child = await client.PushImageAsync("app", tag + architecture);
                using var untag = await client.DeleteAsync($"/v2/app/manifests/{tag + architecture}");
                Assert.Equal(HttpStatusCode.Accepted, untag.StatusCode);
                children.Add(child);
            }

            var index = TestContent.Index(TestContent.OciIndex, children.Select(c => (TestContent.OciManifest, c.Manifest, "amd64")));
            using var response = await client.PutManifestAsync("app", tag, TestContent.OciIndex, index);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            pushed.Add(([tag, .. children.Select(c => c.Digest)], children.SelectMany(BlobsOf).ToList()));
        }

        return pushed;
    }

    private static IEnumerable<string> BlobsOf(PushedImage image) => image.Layers.Prepend(image.Config).Select(TestContent.DigestOf);
}
