using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>No request of any shape reads or writes outside the storage root; hostile names are NAME_INVALID.</summary>
public sealed class PathSafetyTests
{
    private static readonly string Login = RegistryServer.BasicAuth(RegistryServer.Username, RegistryServer.Password).ToString();

    [Theory]
    [InlineData("GET", "/v2/a/../b/manifests/latest")]
    [InlineData("GET", "/v2/../../etc/manifests/latest")]
    [InlineData("GET", "/v2/a/%2e%2e/b/manifests/latest")]
    [InlineData("GET", "/v2/a%2Fb/manifests/latest")]
    [InlineData("GET", "/v2/a%3Ab/manifests/latest")]
    [InlineData("GET", "/v2/a\\b/manifests/latest")]
    [InlineData("GET", "/v2/Upper/manifests/latest")]
    [InlineData("GET", "/v2/a//b/manifests/latest")]
    [InlineData("GET", "/v2//a/tags/list")]
    [InlineData("GET", "/v2/./a/blobs/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("PUT", "/v2/a/../../outside/manifests/latest")]
    [InlineData("POST", "/v2/..%2f..%2foutside/blobs/uploads/")]
    [InlineData("DELETE", "/v2/_layers/blobs/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public async Task HostileName_IsRefusedAsNameInvalid(string method, string target)
    {
        await using var server = await RegistryServer.StartAsync();

        var (status, response) = await RawHttp.SendAsync(server.BaseAddress, method, target, Login);

        Assert.Equal(400, status);
        Assert.Contains("NAME_INVALID", response);
        AssertNothingOutsideRoot(server);
    }

    [Fact]
    public async Task DigestWithEscapedColon_IsServedAsTheDigest()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");
        var escaped = image.Digest.Replace(":", "%3a");

        var (manifestStatus, manifest) = await RawHttp.SendAsync(server.BaseAddress, "GET", $"/v2/app/manifests/{escaped}", Login);
        var (blobStatus, _) = await RawHttp.SendAsync(server.BaseAddress, "HEAD", $"/v2/app/blobs/{TestContent.DigestOf(image.Config).Replace(":", "%3A")}", Login);

        Assert.Equal(200, manifestStatus);
        Assert.Contains(image.Digest, manifest);
        Assert.Equal(200, blobStatus);
    }

    [Fact]
    public async Task NameOver255Characters_IsRefused()
    {
        await using var server = await RegistryServer.StartAsync();
        var name = string.Join('/', Enumerable.Repeat(new string('a', 50), 6));

        var (status, response) = await RawHttp.SendAsync(server.BaseAddress, "POST", $"/v2/{name}/blobs/uploads/", Login);

        Assert.Equal(400, status);
        Assert.Contains("NAME_INVALID", response);
    }

    [Fact]
    public async Task NulInTarget_IsRefused()
    {
        await using var server = await RegistryServer.StartAsync();

        var (status, _) = await RawHttp.SendAsync(server.BaseAddress, "GET", "/v2/a\0b/manifests/latest", Login);

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task TagWithTraversal_IsRefusedAsTagInvalid()
    {
        await using var server = await RegistryServer.StartAsync();

        var (status, response) = await RawHttp.SendAsync(server.BaseAddress, "PUT", "/v2/app/manifests/..", Login);

        Assert.Equal(400, status);
        Assert.Contains("TAG_INVALID", response);
        AssertNothingOutsideRoot(server);
    }

    [Fact]
    public async Task UnknownEndpoint_Returns404Envelope()
    {
        await using var server = await RegistryServer.StartAsync();

        var (status, response) = await RawHttp.SendAsync(server.BaseAddress, "GET", "/v2/app/whatever", Login);

        Assert.Equal(404, status);
        Assert.Contains("NOT_FOUND", response);
    }

    [Fact]
    public async Task WrongMethod_Returns405Unsupported()
    {
        await using var server = await RegistryServer.StartAsync();

        var (status, response) = await RawHttp.SendAsync(server.BaseAddress, "POST", "/v2/app/tags/list", Login);

        Assert.Equal(405, status);
        Assert.Contains("UNSUPPORTED", response);
        Assert.Contains("\r\nAllow: GET, HEAD\r\n", response);
    }

    /// <summary>The store's parent must hold nothing but the store: no request may have created a sibling.</summary>
    private static void AssertNothingOutsideRoot(RegistryServer server)
    {
        var parent = Path.GetDirectoryName(server.StoragePath)!;
        Assert.False(Directory.Exists(Path.Combine(parent, "outside")));
        Assert.False(Directory.Exists(Path.Combine(server.StoragePath, "repositories", "outside")));
        Assert.False(Directory.Exists(Path.Combine(server.StoragePath, "..", "etc")));
    }
}
