using NeonRegistry.Integration.Support;
using NeonRegistry.Maintenance;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Integration;

/// <summary>Ctrl-C on a real garbage-collect process: it stops at the next safe point and the store stays consistent.</summary>
public sealed class MaintenanceInterruptTests
{
    // Enough "deleted blob" lines (about 100 bytes each) to overflow the 64 KiB pipe twice over.
    private const int GarbageBlobs = 1500;

    [Fact]
    public async Task GarbageCollect_Sigint_StopsMidSweepWithStatus130AndAConsistentStore()
    {
        var store = TempDirectory.Create("store");
        try
        {
            PushedImage image;
            await using (var server = await RegistryServer.StartAsync(storagePath: store))
            {
                image = await server.Client.PushImageAsync("app", "v1");
            }

            WriteGarbage(new StorageLayout(store));
            StoreFiles.Backdate(store, TimeSpan.FromHours(2));

            await using var process = MaintenanceProcess.Start(store, "garbage-collect");

            // Read a little, then stop reading: the process fills the pipe and blocks mid-sweep until read again.
            for (var i = 0; i < 10; i++)
            {
                Assert.StartsWith("deleted blob", await process.Stdout.ReadLineAsync());
            }

            process.Interrupt();
            await Task.Delay(300);
            var (exitCode, rest, stderr) = await process.WaitAsync(TimeSpan.FromSeconds(60));

            var deleted = 10 + rest.Split('\n').Count(l => l.StartsWith("deleted blob", StringComparison.Ordinal));
            var verification = await new StoreVerifier(new StorageLayout(store), TimeProvider.System)
                .RunAsync(new VerificationOptions(), NullMaintenanceReporter.Instance, CancellationToken.None);
            await using var after = await RegistryServer.StartAsync(storagePath: store);
            var pulled = await after.Client.GetByteArrayAsync($"/v2/app/blobs/{TestContent.DigestOf(image.Layers[0])}");

            Assert.Equal(130, exitCode);
            Assert.Contains("SIGINT: stopping at the next safe point", stderr);
            Assert.Contains("garbage-collect interrupted after", rest);
            Assert.InRange(deleted, 10, GarbageBlobs - 1);
            Assert.True(verification.IsClean, string.Join("\n", verification.Problems));
            Assert.Equal(image.Layers[0], pulled);
        }
        finally
        {
            TempDirectory.Delete(store);
        }
    }

    /// <summary>Unreferenced blobs, each linked into the repository, written straight into the layout.</summary>
    private static void WriteGarbage(StorageLayout layout)
    {
        var repository = RepositoryName.Parse("app");
        for (var i = 0; i < GarbageBlobs; i++)
        {
            var content = BitConverter.GetBytes(i);
            var digest = Digest.Compute(content);
            Directory.CreateDirectory(Path.GetDirectoryName(layout.Blob(digest))!);
            File.WriteAllBytes(layout.Blob(digest), content);
            Directory.CreateDirectory(Path.GetDirectoryName(layout.LayerLink(repository, digest))!);
            File.WriteAllBytes(layout.LayerLink(repository, digest), []);
        }
    }
}
