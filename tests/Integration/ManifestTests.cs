using System.Net;
using System.Text;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

public sealed class ManifestTests
{
    [Fact]
    public async Task GetManifest_ByTagAndDigest_ReturnsExactBytesTypeAndDigest()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("library/app", "v1");

        foreach (var reference in new[] { "v1", image.Digest })
        {
            using var response = await server.Client.GetAsync($"/v2/library/app/manifests/{reference}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(TestContent.OciManifest, response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(image.Digest, response.Header("Docker-Content-Digest"));
            Assert.Equal(image.Manifest.Length, response.Content.Headers.ContentLength);
            Assert.Equal(image.Manifest, await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task HeadManifest_ByTag_ReturnsHeadersWithoutBody()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "latest");

        using var response = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/app/manifests/latest"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(image.Digest, response.Header("Docker-Content-Digest"));
        Assert.Equal(image.Manifest.Length, response.Content.Headers.ContentLength);
        Assert.Equal(TestContent.OciManifest, response.Content.Headers.ContentType!.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PutManifest_ReturnsLocationAndDigest()
    {
        await using var server = await RegistryServer.StartAsync();
        var (layer, diffId) = TestContent.RandomLayer(100);
        var config = TestContent.Config([diffId]);
        await server.Client.PushBlobAsync("app", layer);
        await server.Client.PushBlobAsync("app", config);
        var manifest = TestContent.Manifest(TestContent.DockerManifest, TestContent.DockerConfig, config, [(TestContent.DockerLayer, layer)]);

        using var put = await server.Client.PutManifestAsync("app", "docker", TestContent.DockerManifest, manifest);
        using var get = await server.Client.GetAsync("/v2/app/manifests/docker");

        var digest = TestContent.DigestOf(manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal($"/v2/app/manifests/{digest}", put.Headers.Location!.OriginalString);
        Assert.Equal(digest, put.Header("Docker-Content-Digest"));
        Assert.Equal(TestContent.DockerManifest, get.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task PutManifest_ByDigest_IsServedButNotTagged()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");
        using var untag = await server.Client.DeleteAsync("/v2/app/manifests/v1");

        using var put = await server.Client.PutManifestAsync("app", image.Digest, TestContent.OciManifest, image.Manifest);
        using var get = await server.Client.GetAsync($"/v2/app/manifests/{image.Digest}");
        var tags = await server.Client.GetStringAsync("/v2/app/tags/list");

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(image.Manifest, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal("{\"name\":\"app\",\"tags\":[]}", tags);
    }

    [Fact]
    public async Task PutManifest_BlobsOnlyInAnotherRepository_Returns400ManifestBlobUnknown()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");

        using var put = await server.Client.PutManifestAsync("other", "v1", TestContent.OciManifest, image.Manifest);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task PutManifest_DigestReferenceMismatch_Returns400DigestInvalid()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");
        var other = TestContent.DigestOf(TestContent.RandomBytes(10));

        using var put = await server.Client.PutManifestAsync("app", other, TestContent.OciManifest, image.Manifest);
        using var get = await server.Client.GetAsync($"/v2/app/manifests/{other}");

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("DIGEST_INVALID", await put.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task PutManifest_UnknownLayer_Returns400ManifestBlobUnknownWithDigest()
    {
        await using var server = await RegistryServer.StartAsync();
        var config = TestContent.Config([]);
        await server.Client.PushBlobAsync("app", config);
        var (layer, _) = TestContent.RandomLayer(100);
        var manifest = TestContent.Manifest(TestContent.OciManifest, TestContent.OciConfig, config, [(TestContent.OciLayer, layer)]);

        using var put = await server.Client.PutManifestAsync("app", "v1", TestContent.OciManifest, manifest);
        using var get = await server.Client.GetAsync("/v2/app/manifests/v1");

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await put.ErrorCodeAsync());
        Assert.Contains(TestContent.DigestOf(layer), await put.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task PutManifest_MediaTypeDisagreesWithContentType_Returns400ManifestInvalid()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");

        using var put = await server.Client.PutManifestAsync("app", "v2", TestContent.DockerManifest, image.Manifest);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await put.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"schemaVersion\":1,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"text/plain\"}")]
    public async Task PutManifest_Malformed_Returns400ManifestInvalid(string body)
    {
        await using var server = await RegistryServer.StartAsync();

        using var put = await server.Client.PutManifestAsync("app", "v1", TestContent.OciManifest, Encoding.UTF8.GetBytes(body));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task PutManifest_DuplicateKey_Returns400ManifestInvalidAndStoresNothing()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");
        // The same manifest with an annotation given twice: parsers that keep the first key and those that keep
        // the last would read two different manifests from one digest.
        var text = Encoding.UTF8.GetString(image.Manifest);
        var ambiguous = Encoding.UTF8.GetBytes(text[..^1] + ",\"annotations\":{\"a\":\"1\",\"a\":\"2\"}}");

        using var put = await server.Client.PutManifestAsync("app", "v2", TestContent.OciManifest, ambiguous);
        using var get = await server.Client.GetAsync("/v2/app/manifests/v2");
        using var byDigest = await server.Client.GetAsync($"/v2/app/manifests/{TestContent.DigestOf(ambiguous)}");

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await put.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byDigest.StatusCode);
    }

    [Fact]
    public async Task PutManifest_Over4MiB_Returns413()
    {
        await using var server = await RegistryServer.StartAsync();
        var body = new byte[4 * 1024 * 1024 + 1];

        using var put = await server.Client.PutManifestAsync("app", "big", TestContent.OciManifest, body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task PutIndex_ChildrenPresent_IsServedAsIndex()
    {
        await using var server = await RegistryServer.StartAsync();
        var amd = await server.Client.PushImageAsync("multi", "amd64", 1);
        var arm = await server.Client.PushImageAsync("multi", "arm64", 1);
        var index = TestContent.Index(TestContent.OciIndex, [(TestContent.OciManifest, amd.Manifest, "amd64"), (TestContent.OciManifest, arm.Manifest, "arm64")]);

        using var put = await server.Client.PutManifestAsync("multi", "latest", TestContent.OciIndex, index);
        using var get = await server.Client.GetAsync("/v2/multi/manifests/latest");

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(TestContent.OciIndex, get.Content.Headers.ContentType!.MediaType);
        Assert.Equal(index, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PutIndex_ChildMissing_Returns400ManifestBlobUnknown()
    {
        await using var server = await RegistryServer.StartAsync();
        var amd = await server.Client.PushImageAsync("elsewhere", "amd64", 1);
        var index = TestContent.Index(TestContent.DockerManifestList, [(TestContent.DockerManifest, amd.Manifest, "amd64")]);

        using var put = await server.Client.PutManifestAsync("multi", "latest", TestContent.DockerManifestList, index);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task PutManifest_TagMoves_ServesNewDigest()
    {
        await using var server = await RegistryServer.StartAsync();
        await server.Client.PushImageAsync("app", "latest");
        var second = await server.Client.PushImageAsync("app", "latest");

        using var get = await server.Client.GetAsync("/v2/app/manifests/latest");

        Assert.Equal(second.Digest, get.Header("Docker-Content-Digest"));
    }

    [Fact]
    public async Task GetManifest_Unknown_Returns404ManifestUnknown()
    {
        await using var server = await RegistryServer.StartAsync();
        await server.Client.PushImageAsync("app", "v1");

        using var tag = await server.Client.GetAsync("/v2/app/manifests/v2");
        using var digest = await server.Client.GetAsync($"/v2/app/manifests/{TestContent.DigestOf([1])}");
        using var repository = await server.Client.GetAsync("/v2/nothing/manifests/v1");

        Assert.All(new[] { tag, digest, repository }, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal("MANIFEST_UNKNOWN", await tag.ErrorCodeAsync());
        Assert.Equal("MANIFEST_UNKNOWN", await digest.ErrorCodeAsync());
        Assert.Equal("MANIFEST_UNKNOWN", await repository.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("-leading-dash")]
    [InlineData(".INVALID")]
    public async Task GetHeadDeleteManifest_ReferenceThatCannotBeATag_Returns404ManifestUnknown(string tag)
    {
        await using var server = await RegistryServer.StartAsync();

        using var get = await server.Client.GetAsync($"/v2/app/manifests/{tag}");
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/manifests/{tag}"));
        using var delete = await server.Client.DeleteAsync($"/v2/app/manifests/{tag}");

        Assert.All(new[] { get, head, delete }, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal("MANIFEST_UNKNOWN", await get.ErrorCodeAsync());
        Assert.Equal("MANIFEST_UNKNOWN", await delete.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("-leading-dash")]
    [InlineData(".INVALID")]
    public async Task PutManifest_InvalidTag_Returns400TagInvalid(string tag)
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");

        using var put = await server.Client.PutManifestAsync("app", tag, TestContent.OciManifest, image.Manifest);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("TAG_INVALID", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task DeleteManifest_ByDigest_RemovesItAndItsTags()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");
        using var alias = await server.Client.PutManifestAsync("app", "stable", TestContent.OciManifest, image.Manifest);

        using var delete = await server.Client.DeleteAsync($"/v2/app/manifests/{image.Digest}");
        using var byDigest = await server.Client.GetAsync($"/v2/app/manifests/{image.Digest}");
        using var byTag = await server.Client.GetAsync("/v2/app/manifests/stable");
        var tags = await server.Client.GetStringAsync("/v2/app/tags/list");

        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byDigest.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byTag.StatusCode);
        Assert.Equal("{\"name\":\"app\",\"tags\":[]}", tags);
    }

    [Fact]
    public async Task DeleteManifest_ByTag_RemovesOnlyTheTag()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");

        using var delete = await server.Client.DeleteAsync("/v2/app/manifests/v1");
        using var byTag = await server.Client.GetAsync("/v2/app/manifests/v1");
        using var byDigest = await server.Client.GetAsync($"/v2/app/manifests/{image.Digest}");
        using var again = await server.Client.DeleteAsync("/v2/app/manifests/v1");

        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byTag.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await again.ErrorCodeAsync());
    }

    [Fact]
    public async Task DeleteManifest_DeletesDisabled_Returns405AndKeepsIt()
    {
        await using var server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["DELETE_ENABLED"] = "false" });
        var image = await server.Client.PushImageAsync("app", "v1");

        using var delete = await server.Client.DeleteAsync($"/v2/app/manifests/{image.Digest}");
        using var get = await server.Client.GetAsync("/v2/app/manifests/v1");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Equal("UNSUPPORTED", await delete.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }
}
