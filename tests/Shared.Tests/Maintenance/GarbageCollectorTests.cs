using NeonRegistry.Maintenance;
using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Maintenance;

public sealed class GarbageCollectorTests : IDisposable
{
    private static readonly RepositoryName App = RepositoryName.Parse("team/app");
    private static readonly RepositoryName Other = RepositoryName.Parse("other");
    private static readonly TimeSpan Old = TimeSpan.FromHours(2);

    private readonly TempStore _store = new();
    private readonly StoreBuilder _builder;

    public GarbageCollectorTests() => _builder = new StoreBuilder(_store);

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Run_OldUnreferencedBlob_IsDeletedWithItsLinks()
    {
        var image = await _builder.ImageAsync(App, "v1", [_builder.RandomBytes(100)]);
        var orphan = await _store.PushBlobAsync(App, _builder.RandomBytes(300));
        _store.Blobs.Link(Other, orphan);
        FileAges.Backdate(_store.Root, Old);

        var summary = await CollectAsync();

        Assert.False(_store.Blobs.Exists(orphan));
        Assert.False(File.Exists(_store.Layout.LayerLink(App, orphan)));
        Assert.False(File.Exists(_store.Layout.LayerLink(Other, orphan)));
        await _builder.AssertWholeAsync(image);
        Assert.Equal(1, summary.BlobsDeleted);
        Assert.Equal(300, summary.BytesFreed);
        Assert.Equal(2, summary.LinksDeleted);
        Assert.Equal(image.Blobs.Count, summary.BlobsKept);
        Assert.Equal(1, summary.ManifestsKept);
        Assert.False(summary.Interrupted);
    }

    [Fact]
    public async Task Run_LayerSharedAcrossRepositories_KeptWhileAnyRepositoryNeedsIt()
    {
        var shared = _builder.RandomBytes(64);
        var kept = await _builder.ImageAsync(App, "v1", [shared]);
        var dropped = await _builder.ImageAsync(Other, "v1", [shared, _builder.RandomBytes(64)]);
        await _store.Manifests.DeleteAsync(Other, Reference.Parse(dropped.Digest.ToString()), CancellationToken.None);
        FileAges.Backdate(_store.Root, Old);

        await CollectAsync();

        await _builder.AssertWholeAsync(kept);
        Assert.True(_store.Blobs.FindOrNull(Other, Digest.Compute(shared)) is not null, "the shared layer's link in 'other' goes only with the blob");
        Assert.Equal([dropped.Blobs[0], dropped.Blobs[1], dropped.Blobs[3]], dropped.Blobs.Where(b => !_store.Blobs.Exists(b)));
    }

    [Fact]
    public async Task Run_UntaggedRevisionsWithoutDeleteUntagged_KeepEverythingTheyName()
    {
        var untagged = await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)]);
        var amd64 = await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)]);
        var arm64 = await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)]);
        var index = await _builder.IndexAsync(App, tag: null, [amd64, arm64]);
        FileAges.Backdate(_store.Root, Old);

        var summary = await CollectAsync();

        foreach (var manifest in new[] { untagged, amd64, arm64, index })
        {
            await _builder.AssertWholeAsync(manifest);
        }

        Assert.Equal(4, summary.ManifestsKept);
        Assert.Equal(0, summary.BlobsDeleted);
    }

    [Fact]
    public async Task Run_ContentWithinGrace_IsKept()
    {
        var untagged = await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)]);
        var fresh = await _store.PushBlobAsync(App, _builder.RandomBytes(64));
        var stale = await _store.PushBlobAsync(App, _builder.RandomBytes(64));
        FileAges.BackdateFile(_store.Layout.Blob(stale), Old);

        var summary = await CollectAsync(new GarbageCollectionOptions { DeleteUntagged = true });

        Assert.True(_store.Blobs.Exists(fresh));
        Assert.False(_store.Blobs.Exists(stale));
        await _builder.AssertWholeAsync(untagged);
        Assert.Equal((1, 1, 0), (summary.BlobsWithinGrace, summary.BlobsDeleted, summary.ManifestsDeleted));
    }

    [Fact]
    public async Task Run_TempFiles_OldOnesDeletedFreshOnesKept()
    {
        await _builder.ImageAsync(App, "v1", [_builder.RandomBytes(64)]);
        var blobsDirectory = Path.GetDirectoryName(_store.Layout.Blob(Digest.Compute([1])))!;
        Directory.CreateDirectory(blobsDirectory);
        var old = Path.Combine(blobsDirectory, ".tmp-0123456789abcdef0123456789abcdef");
        var fresh = Path.Combine(_store.Layout.TagsDirectory(App), ".tmp-fedcba9876543210fedcba9876543210");
        File.WriteAllBytes(old, [1, 2, 3]);
        File.WriteAllBytes(fresh, [1, 2, 3]);
        FileAges.BackdateFile(old, Old);

        var summary = await CollectAsync();

        Assert.False(File.Exists(old));
        Assert.True(File.Exists(fresh));
        Assert.Equal(1, summary.TempFilesDeleted);
    }

    [Fact]
    public async Task Run_DryRun_ChangesNothingAndReportsExactlyWhatARealRunDeletes()
    {
        await _builder.ImageAsync(App, "v1", [_builder.RandomBytes(64)]);
        await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)]);
        await _store.PushBlobAsync(Other, _builder.RandomBytes(64));
        FileAges.Backdate(_store.Root, Old);
        var before = FileAges.Snapshot(_store.Root);
        var dry = new RecordingReporter();
        var real = new RecordingReporter();

        var drySummary = await CollectAsync(new GarbageCollectionOptions { DryRun = true, DeleteUntagged = true }, dry);
        var after = FileAges.Snapshot(_store.Root);
        var realSummary = await CollectAsync(new GarbageCollectionOptions { DeleteUntagged = true }, real);

        Assert.Equal(before, after);
        Assert.True(drySummary.DryRun);
        Assert.Equal(4, drySummary.BlobsDeleted);
        Assert.All(dry.Events, e => Assert.StartsWith("would delete", e.Message));
        Assert.Equal(real.Events.Select(e => e.Message.Replace("deleted", "would delete")), dry.Events.Select(e => e.Message));
        Assert.Equal(drySummary with { DryRun = false, Elapsed = default }, realSummary with { Elapsed = default });
    }

    [Fact]
    public async Task Run_UnreadableManifest_KeepsEveryBlobLinkedIntoItsRepository()
    {
        var image = await _builder.ImageAsync(App, "v1", [_builder.RandomBytes(64)]);
        var orphan = await _store.PushBlobAsync(App, _builder.RandomBytes(64));
        var elsewhere = await _store.PushBlobAsync(Other, _builder.RandomBytes(64));
        FlipFirstByte(_store.Layout.Blob(image.Digest));
        FileAges.Backdate(_store.Root, Old);
        var reporter = new RecordingReporter();

        var summary = await CollectAsync(new GarbageCollectionOptions { DeleteUntagged = true }, reporter);

        Assert.All(image.Blobs.Append(orphan), b => Assert.True(_store.Blobs.Exists(b)));
        Assert.False(_store.Blobs.Exists(elsewhere));
        Assert.Contains(image.Digest, reporter.Digests(MaintenanceEventKind.Warning));
        Assert.True(summary.Warnings > 0);
    }

    [Fact]
    public async Task Run_ManifestWhoseContentIsMissing_MarksNothingMoreAndIsCounted()
    {
        var kept = await _builder.ImageAsync(App, "v1", [_builder.RandomBytes(64)]);
        var withoutContent = await _builder.ImageAsync(App, "v2", [_builder.RandomBytes(64)]);
        var orphan = await _store.PushBlobAsync(App, _builder.RandomBytes(64));
        File.Delete(_store.Layout.Blob(withoutContent.Digest));
        FileAges.Backdate(_store.Root, Old);

        var summary = await CollectAsync();

        // It cannot be pulled as it is; pushing it again (or a cache fetching it again) brings back its blobs too.
        Assert.Equal((1, 0), (summary.ManifestsWithoutContent, summary.Warnings));
        Assert.False(_store.Blobs.Exists(orphan));
        Assert.All(withoutContent.Blobs.Skip(1), b => Assert.False(_store.Blobs.Exists(b)));
        Assert.True(_store.Manifests.Exists(App, withoutContent.Digest));
        Assert.Equal(withoutContent.Digest, _store.Tags.ResolveOrNull(App, "v2"));
        await _builder.AssertWholeAsync(kept);
    }

    [Fact]
    public async Task Run_DanglingLinksFromAnInterruptedRun_AreRemoved()
    {
        var image = await _builder.ImageAsync(App, "v1", [_builder.RandomBytes(64)]);
        var orphan = await _store.PushBlobAsync(App, _builder.RandomBytes(64));
        var referrer = await _builder.ReferrerAsync(App, image);
        File.Delete(_store.Layout.Blob(orphan));
        File.Delete(_store.Layout.ManifestRevision(App, referrer.Digest));
        FileAges.Backdate(_store.Root, Old);

        var summary = await CollectAsync();

        Assert.False(File.Exists(_store.Layout.LayerLink(App, orphan)));
        Assert.Empty(await _store.Referrers.ListAsync(App, image.Digest, CancellationToken.None));

        // The two dangling links, and the links of the referrer's config and layer, which nothing needs any more.
        Assert.Equal(4, summary.LinksDeleted);
        Assert.All(referrer.Blobs.Skip(1), b => Assert.False(File.Exists(_store.Layout.LayerLink(App, b))));
        await _builder.AssertWholeAsync(image);
    }

    [Fact]
    public async Task Run_MissingLayerOfAKeptManifest_KeepsItsLinkForARepush()
    {
        var layer = _builder.RandomBytes(64);
        var image = await _builder.ImageAsync(App, "v1", [layer]);
        File.Delete(_store.Layout.Blob(Digest.Compute(layer)));
        FileAges.Backdate(_store.Root, Old);

        var summary = await CollectAsync();

        Assert.True(File.Exists(_store.Layout.LayerLink(App, Digest.Compute(layer))));
        Assert.Equal((0, 0), (summary.LinksDeleted, summary.BlobsDeleted));
        Assert.True(_store.Manifests.Exists(App, image.Digest));
    }

    [Fact]
    public async Task Run_WhileAnotherRunIsGoing_IsRefusedAndDeletesNothing_ThenTheNextRunProceeds()
    {
        var orphan = await _store.PushBlobAsync(App, _builder.RandomBytes(300));
        FileAges.Backdate(_store.Root, Old);
        Exception? refusal = null;
        var blobExistedDuringSecondRun = false;
        // The second run starts while the first reports its first progress, on the first run's thread.
        var first = new RecordingReporter(_ =>
        {
            if (refusal is null)
            {
                refusal = Record.Exception(() => CollectAsync().GetAwaiter().GetResult());
                blobExistedDuringSecondRun = _store.Blobs.Exists(orphan);
            }
        });

        var summary = await CollectAsync(reporter: first);
        var next = await CollectAsync();

        var refused = Assert.IsType<IOException>(refusal);
        Assert.Contains("another garbage-collect is running on this store", refused.Message);
        Assert.True(blobExistedDuringSecondRun);
        Assert.Equal(1, summary.BlobsDeleted);
        Assert.False(_store.Blobs.Exists(orphan));
        Assert.Equal(0, next.BlobsDeleted);
    }

    [Fact]
    public async Task Run_WhileTheLastRunsLockLingersAMoment_WaitsForItAndRuns()
    {
        var orphan = await _store.PushBlobAsync(App, _builder.RandomBytes(300));
        FileAges.Backdate(_store.Root, Old);
        // A handle that holds the lock a moment longer, as a child process started meanwhile would.
        var lingering = File.OpenHandle(_store.Layout.GarbageCollectionLock, FileMode.OpenOrCreate, FileAccess.ReadWrite);
        Assert.True(FileLock.TryLockExclusive(lingering));

        var run = CollectAsync();
        await Task.Delay(100);
        var waited = !run.IsCompleted;
        lingering.Dispose();
        var summary = await run;

        Assert.True(waited, "the run waits while the lock is held");
        Assert.Equal(1, summary.BlobsDeleted);
        Assert.False(_store.Blobs.Exists(orphan));
    }

    [Fact]
    public async Task Run_AfterARunDiedJudgingAKeptBlob_PutsItBackAndKeepsIt()
    {
        var image = await _builder.ImageAsync(App, "v1", [_builder.RandomBytes(100)]);
        var layer = _store.Layout.Blob(image.Blobs[^1]);
        // Where a run killed between taking the layer out of view and judging it left the layer.
        var aside = Path.Combine(Path.GetDirectoryName(layer)!, ".tmp-judged-" + Path.GetFileName(layer));
        File.Move(layer, aside);
        FileAges.Backdate(_store.Root, Old);

        var summary = await CollectAsync();

        await _builder.AssertWholeAsync(image);
        Assert.False(File.Exists(aside));
        Assert.Equal(0, summary.BlobsDeleted);
        Assert.Equal(0, summary.TempFilesDeleted);
    }

    private Task<GarbageCollectionSummary> CollectAsync(GarbageCollectionOptions? options = null, RecordingReporter? reporter = null) =>
        new GarbageCollector(_store.Layout, TimeProvider.System)
            .RunAsync(options ?? new GarbageCollectionOptions(), reporter ?? new RecordingReporter(), CancellationToken.None);

    private static void FlipFirstByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[0] ^= 0xff;
        File.WriteAllBytes(path, bytes);
    }
}
