using System.Net;
using System.Net.Http.Headers;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

public sealed class BlobTests
{
    [Fact]
    public async Task GetBlob_Pushed_ReturnsBytesDigestAndLength()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(10_000);
        var digest = await server.Client.PushBlobAsync("library/app", content);

        using var response = await server.Client.GetAsync($"/v2/library/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(digest, response.Header("Docker-Content-Digest"));
        Assert.Equal(content.Length, response.Content.Headers.ContentLength);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("registry/2.0", response.Header("Docker-Distribution-API-Version"));
    }

    [Fact]
    public async Task HeadBlob_Pushed_ReturnsLengthWithoutBody()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(4321);
        var digest = await server.Client.PushBlobAsync("app", content);

        using var response = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{digest}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4321, response.Content.Headers.ContentLength);
        Assert.Equal(digest, response.Header("Docker-Content-Digest"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetBlob_SingleRange_Returns206WithThoseBytes()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(1000);
        var digest = await server.Client.PushBlobAsync("app", content);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/app/blobs/{digest}");
        request.Headers.Range = new RangeHeaderValue(100, 199);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("bytes 100-199/1000", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(content[100..200], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetBlob_RangeBeyondEnd_Returns416WithSizeAndEnvelope()
    {
        await using var server = await RegistryServer.StartAsync();
        var digest = await server.Client.PushBlobAsync("app", TestContent.RandomBytes(500));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/app/blobs/{digest}");
        request.Headers.Range = new RangeHeaderValue(600, 700);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */500", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("RANGE_INVALID", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task GetBlob_NeverPushed_Returns404BlobUnknown()
    {
        await using var server = await RegistryServer.StartAsync();

        using var response = await server.Client.GetAsync($"/v2/app/blobs/{TestContent.DigestOf([1, 2, 3])}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task GetBlob_PushedToAnotherRepository_IsNotVisible()
    {
        await using var server = await RegistryServer.StartAsync();
        var digest = await server.Client.PushBlobAsync("team-a/app", TestContent.RandomBytes(100));

        using var response = await server.Client.GetAsync($"/v2/team-b/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await response.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("sha256:abc")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    public async Task GetBlob_MalformedDigest_Returns400DigestInvalid(string digest)
    {
        await using var server = await RegistryServer.StartAsync();

        using var response = await server.Client.GetAsync($"/v2/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("DIGEST_INVALID", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task DeleteBlob_Pushed_Returns202AndHidesIt()
    {
        await using var server = await RegistryServer.StartAsync();
        var digest = await server.Client.PushBlobAsync("app", TestContent.RandomBytes(100));

        using var deleted = await server.Client.DeleteAsync($"/v2/app/blobs/{digest}");
        using var after = await server.Client.GetAsync($"/v2/app/blobs/{digest}");
        using var again = await server.Client.DeleteAsync($"/v2/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await again.ErrorCodeAsync());
    }

    [Fact]
    public async Task DeleteBlob_DeletesDisabled_Returns405Unsupported()
    {
        await using var server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["DELETE_ENABLED"] = "false" });
        var digest = await server.Client.PushBlobAsync("app", TestContent.RandomBytes(100));

        using var response = await server.Client.DeleteAsync($"/v2/app/blobs/{digest}");
        using var still = await server.Client.GetAsync($"/v2/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("UNSUPPORTED", await response.ErrorCodeAsync());
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }
}
