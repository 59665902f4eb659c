using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// Real pulls with skopeo through a cache node: cold (everything fetched from the upstream, byte-identical) and
/// warm (nothing asked of the upstream), against our own primary and against the reference registry.
/// </summary>
public sealed class PullThroughSkopeoTests : IDisposable
{
    private readonly string _work = TempDirectory.Create("skopeo-cache");

    public void Dispose() => TempDirectory.Delete(_work);

    [Fact]
    public async Task SkopeoPull_MultiLayerImageAndIndex_ColdIsByteIdentical_WarmAsksUpstreamNothing()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var image = TestImage.Oci("amd64", 4 * 1024, 64 * 1024, 512 * 1024);
        TestImage[] platforms = [TestImage.Oci("amd64", 8 * 1024), TestImage.Oci("arm64", 16 * 1024)];
        var index = TestContent.Index(TestContent.OciIndex, platforms.Select(p => (p.MediaType, p.Manifest, p.Architecture)));
        var layout = new OciLayoutWriter(Path.Combine(_work, "in"));
        foreach (var each in platforms.Append(image))
        {
            layout.AddImage(each);
        }

        layout.Tag("v1", image.MediaType, image.Manifest);
        layout.Tag("multi", TestContent.OciIndex, index);
        layout.Save();
        var upstream = setup.Upstream.BaseAddress.Authority;
        await Skopeo.CopyAsync($"oci:{layout.Root}:v1", $"docker://{upstream}/team/app:v1");
        await Skopeo.CopyAsync($"oci:{layout.Root}:multi", $"docker://{upstream}/team/app:multi", "--all");

        var cache = setup.Cache.Authority;
        var cold = Path.Combine(_work, "cold");
        await Skopeo.CopyAsync($"docker://{cache}/team/app:v1", $"oci:{cold}:v1");
        await Skopeo.CopyAsync($"docker://{cache}/team/app:multi", $"oci:{cold}:multi", "--all");
        var coldRequests = setup.Proxy.Requests.Count;
        setup.Proxy.ResetCounts();
        var warm = Path.Combine(_work, "warm");
        await Skopeo.CopyAsync($"docker://{cache}/team/app:v1", $"oci:{warm}:v1");
        await Skopeo.CopyAsync($"docker://{cache}/team/app:multi", $"oci:{warm}:multi", "--all");

        Assert.True(coldRequests > 0);
        Assert.Empty(setup.Proxy.Requests);
        foreach (var pulled in new[] { cold, warm })
        {
            Assert.Equal((TestContent.OciManifest, image.Digest), OciLayoutReader.Resolve(pulled, "v1"));
            Assert.Equal((TestContent.OciIndex, TestContent.DigestOf(index)), OciLayoutReader.Resolve(pulled, "multi"));
            foreach (var blob in platforms.Append(image).SelectMany(i => i.Blobs.Append(i.Manifest)).Append(index))
            {
                Assert.Equal(blob, await File.ReadAllBytesAsync(OciLayoutReader.BlobPath(pulled, TestContent.DigestOf(blob))));
            }
        }
    }

    [Fact]
    public async Task SkopeoPull_ReferenceRegistryUpstreamWithHtpasswd_ColdThenWarm()
    {
        await using var reference = await DistributionRegistry.StartAsync();
        await using var proxy = await UpstreamProxy.StartAsync(reference.BaseAddress);
        await using var cache = await RegistryServer.StartCacheAsync(proxy.BaseAddress, DistributionRegistry.Username, DistributionRegistry.Password);
        var image = await reference.Client.PushImageAsync("library/alpine", "3.20", layerCount: 3);

        var cold = Path.Combine(_work, "cold");
        await Skopeo.CopyAsync($"docker://{cache.Authority}/library/alpine:3.20", $"dir:{cold}");
        var coldBlobGets = proxy.Count("GET", "/blobs/");
        proxy.ResetCounts();
        var warm = Path.Combine(_work, "warm");
        await Skopeo.CopyAsync($"docker://{cache.Authority}/library/alpine:3.20", $"dir:{warm}");

        Assert.Equal(4, coldBlobGets);
        Assert.Empty(proxy.Requests);
        foreach (var pulled in new[] { cold, warm })
        {
            Assert.Equal(image.Manifest, await File.ReadAllBytesAsync(Path.Combine(pulled, "manifest.json")));
            foreach (var layer in image.Layers.Append(image.Config))
            {
                Assert.Equal(layer, await File.ReadAllBytesAsync(Path.Combine(pulled, TestContent.DigestOf(layer)["sha256:".Length..])));
            }
        }

        await using var wrongLogin = await RegistryServer.StartCacheAsync(reference.BaseAddress, DistributionRegistry.Username, "wrong");
        using var denied = await wrongLogin.Client.GetAsync("/v2/library/alpine/manifests/3.20");
        Assert.Equal(HttpStatusCode.NotFound, denied.StatusCode);
        Assert.Contains("USER/PASSWORD", await denied.Content.ReadAsStringAsync());
    }
}
