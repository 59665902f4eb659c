using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// Mount without <c>from</c> (distribution-spec: Mounting a blob from another repository; the next version's
/// conformance suite tries it as "anonymous" mount): the store holding the blob anywhere is enough.
/// </summary>
public sealed class BlobMountTests
{
    [Theory]
    [InlineData("sha256")]
    [InlineData("sha512")]
    public async Task Mount_WithoutFromBlobInTheStore_Returns201AndLinksIt(string algorithm)
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(500);
        var digest = await server.Client.PushBlobAsync("source", content, algorithm);

        using var mount = await server.Client.PostAsync($"/v2/target/blobs/uploads/?mount={digest}", null);
        using var get = await server.Client.GetAsync($"/v2/target/blobs/{digest}");

        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal($"/v2/target/blobs/{digest}", mount.Headers.Location!.OriginalString);
        Assert.Equal(digest, mount.Header("Docker-Content-Digest"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Mount_WithoutFromBlobNowhere_Returns202UploadThatTakesTheBlob()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(500);
        var digest = TestContent.DigestOf(content, "sha512");

        using var mount = await server.Client.PostAsync($"/v2/target/blobs/uploads/?mount={digest}", null);
        var location = mount.Headers.Location!.OriginalString;
        using var put = await server.Client.PutAsync($"{location}&digest={digest}", RegistryApi.Octets(content));

        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.StartsWith("/v2/target/blobs/uploads/", location);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(content, await server.Client.GetByteArrayAsync($"/v2/target/blobs/{digest}"));
    }

    [Fact]
    public async Task Mount_WithoutFromUploadStillOpen_Returns202()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(500);
        var digest = TestContent.DigestOf(content);
        using var started = await server.Client.PostAsync("/v2/source/blobs/uploads/", null);
        using var patch = await server.Client.PatchAsync(started.Headers.Location!.OriginalString, RegistryApi.Octets(content));

        // Bytes of an unfinished upload are not a blob: nothing is verified until the upload commits.
        using var mount = await server.Client.PostAsync($"/v2/target/blobs/uploads/?mount={digest}", null);

        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
    }
}
