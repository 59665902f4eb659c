using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>A cache whose store turned read-only (as ext4 does on an error) keeps serving what it holds.</summary>
public sealed class PullThroughStoreFaultTests
{
    [Fact]
    public async Task CachedBlob_StoreRemountedReadOnly_IsStillServed()
    {
        await using var upstream = await RegistryServer.StartAsync();
        var image = await upstream.Client.PushImageAsync("library/app", "v1", 1);
        await using var store = await TmpfsMount.CreateAsync("cache-ro", 16);
        await using var cache = await RegistryServer.StartCacheAsync(
            upstream.BaseAddress, RegistryServer.Username, RegistryServer.Password, new Dictionary<string, string?> { ["STORAGE_PATH"] = store.Path });
        var layer = $"/v2/library/app/blobs/{TestContent.DigestOf(image.Layers[0])}";
        Assert.Equal(image.Layers[0], await cache.Client.GetByteArrayAsync(layer));

        await store.RemountReadOnlyAsync();
        using var hit = await cache.Client.GetAsync(layer);

        // Recording the use for eviction fails on a read-only store; the pull must not.
        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        Assert.Equal(image.Layers[0], await hit.Content.ReadAsByteArrayAsync());
    }
}
