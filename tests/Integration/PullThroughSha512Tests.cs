using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// A cache fetches content its upstream addresses by sha512, verifies it with sha512 and stores it under
/// blobs/sha512, then serves it warm without asking the upstream again.
/// </summary>
public sealed class PullThroughSha512Tests
{
    [Fact]
    public async Task ColdPullByTag_OfASha512Image_IsVerifiedStoredAndServedWarm()
    {
        await using var setup = await PullThroughSetup.StartAsync(new Dictionary<string, string?> { ["TAG_FRESHNESS"] = "10m" });
        var (manifest, digest) = await setup.Upstream.Client.PushSha512ImageAsync("app", tag: "v1");
        var descriptors = ManifestDescriptors(manifest);

        using var byTag = await setup.Cache.Client.GetAsync("/v2/app/manifests/v1");
        var blobs = new List<byte[]>();
        foreach (var blob in descriptors)
        {
            using var response = await setup.Cache.Client.GetAsync($"/v2/app/blobs/{blob}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(blob, response.Header("Docker-Content-Digest"));
            blobs.Add(await response.Content.ReadAsByteArrayAsync());
        }

        setup.Proxy.ResetCounts();
        using var warm = await setup.Cache.Client.GetAsync($"/v2/app/manifests/{digest}");
        using var warmHead = await setup.Cache.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{descriptors[1]}"));

        Assert.Equal(HttpStatusCode.OK, byTag.StatusCode);
        Assert.Equal(digest, byTag.Header("Docker-Content-Digest"));
        Assert.Equal(manifest, await byTag.Content.ReadAsByteArrayAsync());
        Assert.Equal(descriptors, blobs.Select(b => TestContent.DigestOf(b, "sha512")));
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        Assert.Equal(digest, warm.Header("Docker-Content-Digest"));
        Assert.Equal(HttpStatusCode.OK, warmHead.StatusCode);
        Assert.Empty(setup.Proxy.Requests);
        foreach (var blob in descriptors.Append(digest))
        {
            var hex = blob["sha512:".Length..];
            Assert.True(File.Exists(Path.Combine(setup.Cache.StoragePath, "blobs", "sha512", hex[..2], hex)), $"{blob} is not in the cache's store");
        }
    }

    [Fact]
    public async Task ColdPullBySha512Digest_FetchesAndVerifiesIt()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var (manifest, digest) = await setup.Upstream.Client.PushSha512ImageAsync("app");

        using var response = await setup.Cache.Client.GetAsync($"/v2/app/manifests/{digest}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(digest, response.Header("Docker-Content-Digest"));
        Assert.Equal(manifest, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The config's and the layers' digests, in that order.</summary>
    private static List<string> ManifestDescriptors(byte[] manifest)
    {
        using var json = System.Text.Json.JsonDocument.Parse(manifest);
        var root = json.RootElement;
        return [root.GetProperty("config").GetProperty("digest").GetString()!,
            .. root.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!)];
    }
}
