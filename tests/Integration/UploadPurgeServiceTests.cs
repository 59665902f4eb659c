using NeonRegistry.Integration.Support;
using NeonRegistry.Storage;

namespace NeonRegistry.Integration;

/// <summary>The running registry purges abandoned uploads by itself, starting as soon as it starts.</summary>
public sealed class UploadPurgeServiceTests
{
    [Fact]
    public async Task RunningRegistry_AbandonedUpload_IsPurgedAndAFreshOneKept()
    {
        var store = TempDirectory.Create("store");
        try
        {
            var (abandoned, fresh) = CreateUploads(store);

            await using var server = await RegistryServer.StartAsync(storagePath: store);
            var purged = await EventuallyAsync(() => !Directory.Exists(abandoned));

            Assert.True(purged, "the abandoned upload is still there after 10 s");
            Assert.True(Directory.Exists(fresh));
        }
        finally
        {
            TempDirectory.Delete(store);
        }
    }

    [Fact]
    public async Task ReadOnlyRegistry_AbandonedUpload_IsLeftToTheOthers()
    {
        var store = TempDirectory.Create("store");
        try
        {
            var (abandoned, _) = CreateUploads(store);

            await using (var server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["READ_ONLY"] = "true" }, store))
            {
                await server.Client.GetAsync("/v2/");
                await Task.Delay(500);
            }

            Assert.True(Directory.Exists(abandoned));
        }
        finally
        {
            TempDirectory.Delete(store);
        }
    }

    /// <returns>The directories of an upload last written two days ago and of one written just now.</returns>
    private static (string Abandoned, string Fresh) CreateUploads(string store)
    {
        var layout = new StorageLayout(store);
        var uploads = new UploadStore(layout, new BlobStore(layout, TimeProvider.System));
        var abandoned = uploads.Start();
        var fresh = uploads.Start();
        StoreFiles.Backdate(layout.Upload(abandoned), TimeSpan.FromDays(2));
        File.SetLastWriteTimeUtc(layout.UploadData(abandoned), DateTime.UtcNow.AddDays(-2));
        return (layout.Upload(abandoned), layout.Upload(fresh));
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (var waited = 0; waited < 10_000; waited += 50)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }
}
