using System.Net;
using System.Text.Json;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// A store that is full or read-only, for real: a small tmpfs as the store. Pushes fail with a status and a message
/// that say so (413 and 403, the 4xx statuses whose message clients show: see OciResults), leave nothing behind that would keep failing later pushes, and readiness stays (degraded) so pulls
/// keep being routed here.
/// </summary>
public sealed class StoreFaultTests
{
    private const int StoreMiB = 4;

    [Fact]
    public async Task MonolithicPost_StoreFills_Returns413DeletesTheUploadAndASmallPushThenWorks()
    {
        await using var store = await TmpfsMount.CreateAsync("full-post", StoreMiB);
        await using var server = await RegistryServer.StartAsync(storagePath: store.Path);
        var blob = TestContent.RandomBytes((StoreMiB + 2) * 1024 * 1024);

        using var post = await server.Client.PostAsync($"/v2/app/blobs/uploads/?digest={TestContent.DigestOf(blob)}", RegistryApi.Octets(blob));

        await AssertStoreFullAsync(post);
        Assert.Empty(Uploads(store));
        var small = await server.Client.PushBlobAsync("app", [1, 2, 3, 4, 5]);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync($"/v2/app/blobs/{small}")).StatusCode);
    }

    [Fact]
    public async Task PutWithBody_StoreFills_Returns413AndKeepsNoneOfItsBytes()
    {
        await using var store = await TmpfsMount.CreateAsync("full-put", StoreMiB);
        await using var server = await RegistryServer.StartAsync(storagePath: store.Path);
        var blob = TestContent.RandomBytes((StoreMiB + 2) * 1024 * 1024);

        using var start = await server.Client.PostAsync("/v2/app/blobs/uploads/", null);
        using var put = await server.Client.PutAsync($"{start.Headers.Location}&digest={TestContent.DigestOf(blob)}", RegistryApi.Octets(blob));

        await AssertStoreFullAsync(put);
        Assert.All(Uploads(store), upload => Assert.Equal(0, new FileInfo(Path.Combine(upload, "data")).Length));
        await server.Client.PushBlobAsync("app", [1, 2, 3, 4, 5]);
    }

    [Fact]
    public async Task Patch_StoreFills_Returns413AndKeepsTheBytesForTheClientToResume()
    {
        await using var store = await TmpfsMount.CreateAsync("full-patch", StoreMiB);
        await using var server = await RegistryServer.StartAsync(storagePath: store.Path);
        var blob = TestContent.RandomBytes((StoreMiB + 2) * 1024 * 1024);

        using var start = await server.Client.PostAsync("/v2/app/blobs/uploads/", null);
        using var patch = await server.Client.PatchAsync(start.Headers.Location, RegistryApi.Octets(blob));
        using var status = await server.Client.GetAsync(start.Headers.Location);

        await AssertStoreFullAsync(patch);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        var kept = long.Parse(status.Header("Range").Split('-')[1]) + 1;
        Assert.InRange(kept, 1, blob.Length - 1);
    }

    [Fact]
    public async Task Readyz_FullStore_Returns200WithTheStoreDegraded()
    {
        await using var store = await TmpfsMount.CreateAsync("full-ready", StoreMiB);
        await using var server = await RegistryServer.StartAsync(storagePath: store.Path);
        await store.FillAsync();

        var check = await StoreCheckAsync(server);

        Assert.Equal("degraded", check.GetProperty("status").GetString());
        Assert.Contains("readable but not writable", check.GetProperty("description").GetString());
        Assert.Contains("No space left on device", check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Readyz_ReadOnlyStore_Returns200WithTheStoreDegraded()
    {
        await using var store = await TmpfsMount.CreateAsync("ro-ready", StoreMiB);
        await using var server = await RegistryServer.StartAsync(storagePath: store.Path);
        await store.RemountReadOnlyAsync();

        var check = await StoreCheckAsync(server);

        Assert.Equal("degraded", check.GetProperty("status").GetString());
        Assert.Contains("Read-only file system", check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Push_ReadOnlyStore_Returns403SayingSo()
    {
        await using var store = await TmpfsMount.CreateAsync("ro-push", StoreMiB);
        await using var server = await RegistryServer.StartAsync(storagePath: store.Path);
        await store.RemountReadOnlyAsync();

        using var post = await server.Client.PostAsync($"/v2/app/blobs/uploads/?digest={TestContent.DigestOf([1])}", RegistryApi.Octets([1]));

        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal("UNAVAILABLE", await post.ErrorCodeAsync());
        Assert.Contains("store is read-only", await post.Content.ReadAsStringAsync());
    }

    private static async Task AssertStoreFullAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("UNAVAILABLE", await response.ErrorCodeAsync());
        Assert.Contains("store is full", await response.Content.ReadAsStringAsync());
    }

    private static string[] Uploads(TmpfsMount store) =>
        Directory.Exists(Path.Combine(store.Path, "uploads")) ? Directory.GetDirectories(Path.Combine(store.Path, "uploads")) : [];

    private static async Task<JsonElement> StoreCheckAsync(RegistryServer server)
    {
        using var anonymous = server.CreateClient();
        using var ready = await anonymous.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        return body.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "store").Clone();
    }
}
