using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// distribution-spec (next version), Pushing Manifests: a push by digest with <c>tag</c> query parameters stores
/// the manifest and points every tag at it in one request, answering <c>OCI-Tag</c> for each.
/// </summary>
public sealed class ManifestTagParameterTests
{
    [Fact]
    public async Task PutByDigest_WithTags_PointsEachTagAndAnswersOciTag()
    {
        await using var server = await RegistryServer.StartAsync();
        var (manifest, digest) = await BuildImageAsync(server.Client, "app");
        string[] tags = ["1.2.3", "1.2", "1", "latest"];

        using var put = await server.Client.PutManifestAsync("app", $"{digest}?{string.Join('&', tags.Select(t => $"tag={t}"))}", TestContent.OciManifest, manifest);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, put.Header("Docker-Content-Digest"));
        Assert.Equal($"/v2/app/manifests/{digest}", put.Headers.Location!.OriginalString);
        Assert.Equal(tags, put.Headers.GetValues("OCI-Tag").SelectMany(v => v.Split(',')).Select(v => v.Trim()));
        foreach (var tag in tags)
        {
            using var get = await server.Client.GetAsync($"/v2/app/manifests/{tag}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(digest, get.Header("Docker-Content-Digest"));
            Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        }

        var list = await server.Client.GetStringAsync("/v2/app/tags/list");
        Assert.Equal("""{"name":"app","tags":["1","1.2","1.2.3","latest"]}""", list);
    }

    [Fact]
    public async Task PutByDigest_TwelveTags_AreAllAccepted()
    {
        await using var server = await RegistryServer.StartAsync();
        var (manifest, digest) = await BuildImageAsync(server.Client, "app");
        var tags = Enumerable.Range(0, 12).Select(i => $"t{i:D2}").ToList();

        using var put = await server.Client.PutManifestAsync("app", $"{digest}?{string.Join('&', tags.Select(t => $"tag={t}"))}", TestContent.OciManifest, manifest);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(tags, put.Headers.GetValues("OCI-Tag"));
    }

    [Fact]
    public async Task PutByDigest_MoreTagsThanTheRequestLineHolds_Returns414AndStoresNothing()
    {
        await using var server = await RegistryServer.StartAsync();
        var (manifest, digest) = await BuildImageAsync(server.Client, "app");
        var tags = Enumerable.Range(0, 100).Select(i => $"{i:D3}{new string('x', 125)}");

        using var put = await server.Client.PutManifestAsync("app", $"{digest}?{string.Join('&', tags.Select(t => $"tag={t}"))}", TestContent.OciManifest, manifest);
        using var byDigest = await server.Client.GetAsync($"/v2/app/manifests/{digest}");

        Assert.Equal(HttpStatusCode.RequestUriTooLong, put.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byDigest.StatusCode);
    }

    [Theory]
    [InlineData("tag=good&tag=.bad")]
    [InlineData("tag=good&tag=")]
    [InlineData("tag=good&tag=" + "x129xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    public async Task PutByDigest_OneBadTag_RefusesThePushAndStoresNothing(string query)
    {
        await using var server = await RegistryServer.StartAsync();
        var (manifest, digest) = await BuildImageAsync(server.Client, "app");

        using var put = await server.Client.PutManifestAsync("app", $"{digest}?{query}", TestContent.OciManifest, manifest);
        using var byDigest = await server.Client.GetAsync($"/v2/app/manifests/{digest}");
        using var good = await server.Client.GetAsync("/v2/app/manifests/good");

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("TAG_INVALID", await put.ErrorCodeAsync());
        Assert.False(put.Headers.Contains("OCI-Tag"));
        Assert.Equal(HttpStatusCode.NotFound, byDigest.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, good.StatusCode);
    }

    [Fact]
    public async Task PutByTag_WithTagParameters_IsRefused()
    {
        await using var server = await RegistryServer.StartAsync();
        var (manifest, _) = await BuildImageAsync(server.Client, "app");

        using var put = await server.Client.PutManifestAsync("app", "v1?tag=v2", TestContent.OciManifest, manifest);
        using var v1 = await server.Client.GetAsync("/v2/app/manifests/v1");

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("TAG_INVALID", await put.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.NotFound, v1.StatusCode);
    }

    [Fact]
    public async Task PutByDigest_WithoutTags_AnswersNoOciTag()
    {
        await using var server = await RegistryServer.StartAsync();
        var (manifest, digest) = await BuildImageAsync(server.Client, "app");

        using var put = await server.Client.PutManifestAsync("app", digest, TestContent.OciManifest, manifest);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.False(put.Headers.Contains("OCI-Tag"));
    }

    [Fact]
    public async Task PutBySha512Digest_WithTag_TagAnswersTheSha512Digest()
    {
        await using var server = await RegistryServer.StartAsync();

        var (manifest, digest) = await server.Client.PushSha512ImageAsync("app", tag: "v1");
        using var get = await server.Client.GetAsync("/v2/app/manifests/v1");
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/app/manifests/v1"));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(digest, get.Header("Docker-Content-Digest"));
        Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest, head.Header("Docker-Content-Digest"));
    }

    /// <summary>Pushes an image's blobs and returns its manifest, not yet pushed.</summary>
    private static async Task<(byte[] Manifest, string Digest)> BuildImageAsync(HttpClient client, string repository)
    {
        var (layer, diffId) = TestContent.RandomLayer(1024);
        var config = TestContent.Config([diffId]);
        await client.PushBlobAsync(repository, layer);
        await client.PushBlobAsync(repository, config);
        var manifest = TestContent.Manifest(TestContent.OciManifest, TestContent.OciConfig, config, [(TestContent.OciLayer, layer)]);
        return (manifest, TestContent.DigestOf(manifest));
    }
}
