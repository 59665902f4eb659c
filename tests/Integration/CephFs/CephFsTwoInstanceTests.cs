using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration.CephFs;

/// <summary>
/// Two registry instances on one CephFS directory, each through its own ceph-fuse mount as on two nodes: what
/// one acknowledges, the other serves at once, whoever wrote it, and the store verifies clean afterwards.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class CephFsTwoInstanceTests(CephCluster ceph)
{
    [SkippableFact]
    public async Task Image_PushedThroughNode1_IsServedThroughNode2ByTagAndDigest()
    {
        var store = ceph.CreateStore("served");
        await using var a = await RegistryProcess.StartAsync(store.OnNode1);
        await using var b = await RegistryProcess.StartAsync(store.OnNode2);

        var image = await a.Client.PushImageAsync("team/app", "v1");

        await AssertImageServedAsync(b.Client, "team/app", "v1", image);
    }

    [SkippableFact]
    public async Task PushesInParallel_SplitAcrossNodes_EveryImagePullsThroughBothAndVerifyIsClean()
    {
        var store = ceph.CreateStore("parallel");
        await using var a = await RegistryProcess.StartAsync(store.OnNode1);
        await using var b = await RegistryProcess.StartAsync(store.OnNode2);
        var instances = new[] { a, b };

        var images = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            instances[i % 2].Client.PushImageAsync($"team/app{i % 3}", $"v{i}")));

        for (var i = 0; i < images.Length; i++)
        {
            foreach (var instance in instances)
            {
                await AssertImageServedAsync(instance.Client, $"team/app{i % 3}", $"v{i}", images[i]);
            }
        }

        var pulled = TempDirectory.Create("pulled");
        try
        {
            // Pushed through node 1 (an even index), pulled by a real client through node 2.
            await Skopeo.CopyAsync($"docker://{b.BaseAddress.Authority}/team/app0:v0", $"dir:{pulled}");
            Assert.Equal(images[0].Manifest, await File.ReadAllBytesAsync(Path.Combine(pulled, "manifest.json")));
        }
        finally
        {
            TempDirectory.Delete(pulled);
        }

        Assert.Equal(
            await RegistryAudit.AssertConsistentAsync(a.Client),
            await RegistryAudit.AssertConsistentAsync(b.Client));
        await AssertVerifiesCleanAsync(store);
    }

    [SkippableFact]
    public async Task SameImage_PushedThroughBothNodesAtOnce_BothAcknowledgeAndItIsServedWhole()
    {
        var store = ceph.CreateStore("same");
        await using var a = await RegistryProcess.StartAsync(store.OnNode1);
        await using var b = await RegistryProcess.StartAsync(store.OnNode2);

        for (var round = 0; round < 4; round++)
        {
            var layers = Enumerable.Range(0, 3).Select(_ => TestContent.RandomLayer(256 * 1024)).ToList();
            var config = TestContent.Config(layers.Select(l => l.DiffId));
            var manifest = TestContent.Manifest(TestContent.OciManifest, TestContent.OciConfig, config, layers.Select(l => (TestContent.OciLayer, l.Layer)));
            var blobs = layers.Select(l => l.Layer).Append(config).ToList();

            await Task.WhenAll(PushAsync(a.Client, blobs, manifest, "same"), PushAsync(b.Client, blobs, manifest, "same"));

            foreach (var instance in new[] { a, b })
            {
                await RegistryAudit.AssertManifestServedAsync(instance.Client, "team/same", "same", manifest, TestContent.OciManifest);
                foreach (var blob in blobs)
                {
                    await RegistryAudit.AssertBlobIntactAsync(instance.Client, "team/same", TestContent.DigestOf(blob), blob.Length);
                }
            }
        }

        await AssertVerifiesCleanAsync(store);
    }

    [SkippableFact]
    public async Task ChunkedUpload_StartedOnNode1ContinuedOnNode2_FinishedOnNode1_BothServeTheBlob()
    {
        var store = ceph.CreateStore("handoff");
        await using var a = await RegistryProcess.StartAsync(store.OnNode1);
        await using var b = await RegistryProcess.StartAsync(store.OnNode2);
        var content = TestContent.RandomBytes((3 * 1024 * 1024) + 321);
        var digest = TestContent.DigestOf(content);
        const int firstEnd = 1024 * 1024;

        using var started = await a.Client.PostAsync("/v2/team/handoff/blobs/uploads/", null);
        using var first = await PatchAsync(a.Client, started.Headers.Location!, content, 0, firstEnd);
        using var status = await b.Client.GetAsync(first.Headers.Location);
        using var second = await PatchAsync(b.Client, status.Headers.Location!, content, firstEnd, content.Length - 100);
        using var closed = await a.Client.PutAsync($"{second.Headers.Location}&digest={digest}", RegistryApi.Octets(content, content.Length - 100));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal($"0-{firstEnd - 1}", status.Header("Range"));
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(HttpStatusCode.Created, closed.StatusCode);
        foreach (var instance in new[] { a, b })
        {
            await RegistryAudit.AssertBlobIntactAsync(instance.Client, "team/handoff", digest, content.Length);
        }

        await AssertVerifiesCleanAsync(store);
    }

    internal static async Task AssertImageServedAsync(HttpClient client, string repository, string tag, PushedImage image)
    {
        await RegistryAudit.AssertManifestServedAsync(client, repository, tag, image.Manifest, TestContent.OciManifest);
        await RegistryAudit.AssertManifestServedAsync(client, repository, image.Digest, image.Manifest, TestContent.OciManifest);
        foreach (var blob in image.Layers.Append(image.Config))
        {
            await RegistryAudit.AssertBlobIntactAsync(client, repository, TestContent.DigestOf(blob), blob.Length);
        }
    }

    internal static async Task AssertVerifiesCleanAsync(CephStore store)
    {
        var (exitCode, stdout, stderr) = await MaintenanceRun.RunAsync(store.OnNode2, ["verify"]);
        Assert.True(exitCode == 0, $"verify exited {exitCode}:\n{stdout}\n{stderr}");
    }

    private static async Task PushAsync(HttpClient client, IEnumerable<byte[]> blobs, byte[] manifest, string tag)
    {
        await Task.WhenAll(blobs.Select(blob => client.PushBlobAsync("team/same", blob)));
        using var response = await client.PutManifestAsync("team/same", tag, TestContent.OciManifest, manifest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> PatchAsync(HttpClient client, Uri location, byte[] content, int start, int end)
    {
        var body = RegistryApi.Octets(content, start, end - start);
        body.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{end - 1}");
        return await client.PatchAsync(location, body);
    }
}
