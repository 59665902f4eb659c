using System.Net;
using NeonRegistry.Integration.Support;
using NeonRegistry.Storage;

namespace NeonRegistry.Integration;

/// <summary>The subcommands as an operator runs them, on the store of a registry that served real pushes.</summary>
public sealed class MaintenanceCommandTests
{
    private static readonly TimeSpan Old = TimeSpan.FromHours(2);

    [Fact]
    public async Task GarbageCollect_DryRun_PrintsWhatItWouldDeleteAndChangesNothing()
    {
        await using var server = await RegistryServer.StartAsync();
        await server.Client.PushImageAsync("app", "v1");
        var orphan = await server.Client.PushBlobAsync("app", TestContent.RandomBytes(2048));
        StoreFiles.Backdate(server.StoragePath, Old);
        var before = StoreFiles.Snapshot(server.StoragePath);

        var (exitCode, stdout, stderr) = await MaintenanceRun.RunAsync(server.StoragePath, ["garbage-collect", "--dry-run"]);

        Assert.Equal(0, exitCode);
        Assert.Equal($"would delete blob {orphan} (2048 bytes)", stdout.Split('\n')[0]);
        Assert.Contains("dry run finished", stdout);
        Assert.Contains("1 to delete, 2.0 KiB to free", stdout);
        Assert.Contains("sweeping blobs:", stderr);
        Assert.Equal(before, StoreFiles.Snapshot(server.StoragePath));
    }

    [Fact]
    public async Task GarbageCollect_DeleteUntagged_DeletesAndSummarizesWhileTaggedImagesStillPull()
    {
        await using var server = await RegistryServer.StartAsync();
        var kept = await server.Client.PushImageAsync("app", "v1", layerCount: 1);
        var replaced = await server.Client.PushImageAsync("app", "v2", layerCount: 1);
        await server.Client.PushImageAsync("app", "v2", layerCount: 1);
        StoreFiles.Backdate(server.StoragePath, Old);

        var (exitCode, stdout, _) = await MaintenanceRun.RunAsync(server.StoragePath, ["garbage-collect", "--delete-untagged", "--grace=30m"]);

        Assert.Equal(0, exitCode);
        Assert.Contains($"deleted manifest app@{replaced.Digest}", stdout);
        Assert.Contains("manifests:  2 kept, 1 deleted", stdout);
        Assert.Contains("3 deleted", stdout);
        Assert.Contains("within the 30m grace period", stdout);
        using var gone = await server.Client.GetAsync($"/v2/app/manifests/{replaced.Digest}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(kept.Layers[0], await server.Client.GetByteArrayAsync($"/v2/app/blobs/{TestContent.DigestOf(kept.Layers[0])}"));
    }

    [Fact]
    public async Task Verify_FlippedByte_ExitsOneAndRepairMovesItAsideUntilItIsPushedAgain()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1", layerCount: 1);
        var layer = TestContent.DigestOf(image.Layers[0]);
        var layout = new StorageLayout(server.StoragePath);
        StoreFiles.FlipByte(layout.Blob(Oci.Digest.Parse(layer)), 10);

        var found = await MaintenanceRun.RunAsync(server.StoragePath, ["verify"]);
        var repaired = await MaintenanceRun.RunAsync(server.StoragePath, ["verify", "--repair"]);
        using var whileMissing = await server.Client.GetAsync($"/v2/app/blobs/{layer}");
        await server.Client.PushBlobAsync("app", image.Layers[0]);
        var clean = await MaintenanceRun.RunAsync(server.StoragePath, ["verify"]);

        Assert.Equal(1, found.ExitCode);
        Assert.Contains($"blob {layer} is corrupt", found.Stdout);
        Assert.Contains("run 'verify --repair'", found.Stdout);
        Assert.Equal(1, repaired.ExitCode);
        Assert.Contains($"moved blob {layer} to quarantine/", repaired.Stdout);
        Assert.Equal(HttpStatusCode.NotFound, whileMissing.StatusCode);
        Assert.Equal(0, clean.ExitCode);
        Assert.Contains("the store is clean", clean.Stdout);
    }

    [Fact]
    public async Task PurgeUploads_AbandonedUpload_IsDeletedAndItsUrlStopsWorking()
    {
        await using var server = await RegistryServer.StartAsync();
        using var started = await server.Client.PostAsync("/v2/app/blobs/uploads/", null);
        var location = started.Headers.Location!.OriginalString;
        using var chunk = await server.Client.PatchAsync(location, RegistryApi.Octets(TestContent.RandomBytes(100)));
        StoreFiles.Backdate(Path.Combine(server.StoragePath, "uploads"), TimeSpan.FromDays(2));

        var (exitCode, stdout, _) = await MaintenanceRun.RunAsync(server.StoragePath, ["purge-uploads", "--older-than", "1d"]);
        using var resumed = await server.Client.PatchAsync(chunk.Headers.Location!.OriginalString, RegistryApi.Octets(TestContent.RandomBytes(100)));

        Assert.Equal(0, exitCode);
        Assert.Contains($"deleted upload {started.Header("Docker-Upload-UUID")} (100 bytes", stdout);
        Assert.Contains("1 deleted", stdout);
        Assert.Equal(HttpStatusCode.NotFound, resumed.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await resumed.ErrorCodeAsync());
    }

    [Fact]
    public async Task Commands_OnACacheStore_TakeLayersNotYetPulledAsNormalAndKeepWhatIsCached()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var pulled = await setup.Upstream.Client.PushImageAsync("app", "v1", layerCount: 1);
        await setup.Upstream.Client.PushImageAsync("app", "v2", layerCount: 1);
        var blobs = pulled.Layers.Prepend(pulled.Config).Select(TestContent.DigestOf).ToList();
        foreach (var path in new[] { "manifests/v1", "manifests/v2" }.Concat(blobs.Select(b => $"blobs/{b}")))
        {
            await setup.Cache.Client.GetByteArrayAsync($"/v2/app/{path}");
        }

        StoreFiles.Backdate(setup.Cache.StoragePath, Old);
        var cacheMode = new Dictionary<string, string?> { ["REMOTE_URL"] = setup.Proxy.BaseAddress.ToString() };

        var asCache = await MaintenanceRun.RunAsync(setup.Cache.StoragePath, ["verify"], settings: cacheMode);
        var asRegistry = await MaintenanceRun.RunAsync(setup.Cache.StoragePath, ["verify"]);
        var collected = await MaintenanceRun.RunAsync(setup.Cache.StoragePath, ["garbage-collect"], settings: cacheMode);
        setup.Proxy.ResetCounts();
        foreach (var blob in blobs)
        {
            await setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{blob}");
        }

        Assert.Equal(0, asCache.ExitCode);
        Assert.Contains("the store is clean", asCache.Stdout);
        Assert.Equal(1, asRegistry.ExitCode);
        Assert.Equal(0, collected.ExitCode);
        Assert.Matches(@"blobs: +\d+ kept .*, 0 deleted", collected.Stdout);
        Assert.Empty(setup.Proxy.Requests);
    }

    [Theory]
    [InlineData("garbage-collect --grace 5x", "--grace '5x' is not a duration such as 30m, 1h, 24h or 7d")]
    [InlineData("garbage-collect --grace", "--grace needs a value")]
    [InlineData("garbage-collect --grace --dry-run", "--grace needs a value")]
    [InlineData("garbage-collect @arguments", "unknown argument '@arguments'")]
    [InlineData("garbage-collect --grace 1h 2h", "unknown argument '2h'")]
    [InlineData("garbage-collect --force", "unknown argument '--force'")]
    [InlineData("purge-uploads --older-than 90", "--older-than '90' is not a duration")]
    [InlineData("verify --repair now", "unknown argument 'now'")]
    public async Task Command_BadArgument_PrintsOneLineAndExitsTwo(string commandLine, string expected)
    {
        var store = TempDirectory.Create("store");
        try
        {
            var (exitCode, stdout, stderr) = await MaintenanceRun.RunAsync(store, commandLine.Split(' '));

            Assert.Equal(2, exitCode);
            Assert.Empty(stdout);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(expected, line);
            Assert.Contains("usage: neon-registry ", line);
        }
        finally
        {
            TempDirectory.Delete(store);
        }
    }

    [Theory]
    [InlineData("garbage-collect --dry-run --grace=2h", "within the 2h grace period")]
    [InlineData("garbage-collect --dry-run --grace 2h --grace 3h", "within the 3h grace period")]
    [InlineData("purge-uploads --older-than=90m", "written to within 90m")]
    public async Task Command_DurationForms_AreReadAsBefore(string commandLine, string expected)
    {
        var store = TempDirectory.Create("store");
        try
        {
            var (exitCode, stdout, _) = await MaintenanceRun.RunAsync(store, commandLine.Split(' '));

            Assert.Equal(0, exitCode);
            Assert.Contains(expected, stdout);
        }
        finally
        {
            TempDirectory.Delete(store);
        }
    }

    [Fact]
    public async Task Command_AsAProcessWithOnlyStoragePath_NeedsNoLoginOrSecret()
    {
        var store = TempDirectory.Create("store");
        try
        {
            var (exitCode, stdout, stderr) = await RegistryCommand.RunAsync(new Dictionary<string, string?> { ["STORAGE_PATH"] = store }, "verify");
            var missing = await RegistryCommand.RunAsync(new Dictionary<string, string?> { ["STORAGE_PATH"] = Path.Combine(store, "absent") }, "garbage-collect");

            Assert.Equal(0, exitCode);
            Assert.Contains("the store is clean", stdout);
            Assert.DoesNotContain("listening", stdout + stderr);
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("STORAGE_PATH", Assert.Single(missing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        }
        finally
        {
            TempDirectory.Delete(store);
        }
    }

    [Fact]
    public async Task Progress_OnATerminal_IsABarRedrawnInPlaceAndClearedBeforeTheSummary()
    {
        await using var server = await RegistryServer.StartAsync();
        await server.Client.PushImageAsync("app", "v1");

        var (exitCode, stdout, stderr) = await MaintenanceRun.RunAsync(server.StoragePath, ["verify"], terminal: true);

        Assert.Equal(0, exitCode);
        Assert.Matches(@"\r\[#*\.*\] hashing blobs: .*\(\d+%\)\u001b\[K", stderr);
        Assert.EndsWith("\r\u001b[K", stderr);
        Assert.DoesNotContain('\n', stderr);
        Assert.StartsWith("verify finished", stdout);
    }
}
