using NeonRegistry.Maintenance;
using NeonRegistry.Oci;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Maintenance;

/// <summary>
/// Pushes and cancellations at chosen moments of a collection: the reporter's progress callback runs on the
/// collector's own thread between two steps, so each interleaving here is exact, not a matter of timing.
/// </summary>
public sealed class GarbageCollectionInterleavingTests : IDisposable
{
    private static readonly RepositoryName App = RepositoryName.Parse("app");
    private static readonly TimeSpan Old = TimeSpan.FromHours(2);

    private readonly TempStore _store = new();
    private readonly StoreBuilder _builder;

    public GarbageCollectionInterleavingTests() => _builder = new StoreBuilder(_store);

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Run_OldBlobReusedByAPushAfterTheMark_IsKept()
    {
        var reused = _builder.RandomBytes(64);
        var unused = await _store.PushBlobAsync(App, _builder.RandomBytes(64));
        await _store.PushBlobAsync(App, reused);
        FileAges.Backdate(_store.Root, Old);
        BuiltManifest? pushed = null;
        var reporter = OnFirst("sweeping blobs", () => pushed = _builder.ImageAsync(App, "late", [reused], pushLayers: false).GetAwaiter().GetResult());

        var summary = await CollectAsync(new GarbageCollectionOptions(), reporter);

        Assert.NotNull(pushed);
        await _builder.AssertWholeAsync(pushed);
        Assert.False(_store.Blobs.Exists(unused));
        Assert.Equal((1, 1), (summary.BlobsDeleted, summary.BlobsWithinGrace));
    }

    [Fact]
    public async Task Run_UntaggedManifestTaggedByAPushDuringSelection_IsKept()
    {
        var first = await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)]);
        var second = await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)]);
        var (deleted, retagged) = DigestOrder.Instance.Compare(first.Digest, second.Digest) < 0 ? (first, second) : (second, first);
        FileAges.Backdate(_store.Root, Old);
        var content = (await _store.Blobs.ReadOrNullAsync(retagged.Digest, CancellationToken.None))!;

        // Revisions are handled in digest order: the push lands after the first is deleted and before the second is judged.
        var reporter = OnFirst("selecting manifests", () =>
            _store.Manifests.PutAsync(App, Reference.Parse("again"), content, MediaTypes.OciManifest, CancellationToken.None).GetAwaiter().GetResult());

        var summary = await CollectAsync(new GarbageCollectionOptions { DeleteUntagged = true }, reporter);

        Assert.False(_store.Manifests.Exists(App, deleted.Digest));
        await _builder.AssertWholeAsync(retagged);
        Assert.Equal(retagged.Digest, _store.Tags.ResolveOrNull(App, "again"));
        Assert.Equal((1, 1), (summary.ManifestsKept, summary.ManifestsDeleted));
    }

    [Fact]
    public async Task Run_IndexPushedOverOldUntaggedChildrenDuringCollection_KeepsThem()
    {
        var children = new List<BuiltManifest>();
        for (var i = 0; i < 3; i++)
        {
            children.Add(await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)]));
        }

        FileAges.Backdate(_store.Root, Old);
        BuiltManifest? index = null;
        var reporter = OnFirst("scanning repositories", () => index = _builder.IndexAsync(App, "multi", children).GetAwaiter().GetResult());

        var summary = await CollectAsync(new GarbageCollectionOptions { DeleteUntagged = true }, reporter);

        Assert.NotNull(index);
        await _builder.AssertWholeAsync(index);
        Assert.Equal((0, 0), (summary.ManifestsDeleted, summary.BlobsDeleted));
    }

    [Fact]
    public async Task Run_CancelledDuringTheSweep_StopsBetweenDeletesAndLeavesTheStoreClean()
    {
        var image = await _builder.ImageAsync(App, "v1", [_builder.RandomBytes(64)]);
        for (var i = 0; i < 20; i++)
        {
            await _store.PushBlobAsync(App, _builder.RandomBytes(64));
        }

        FileAges.Backdate(_store.Root, Old);
        using var cancellation = new CancellationTokenSource();
        var reporter = new RecordingReporter(p =>
        {
            if (p is { Phase: "sweeping blobs", Done: 10 })
            {
                cancellation.Cancel();
            }
        });

        var interrupted = await new GarbageCollector(_store.Layout, TimeProvider.System).RunAsync(new GarbageCollectionOptions(), reporter, cancellation.Token);
        var verification = await new StoreVerifier(_store.Layout, TimeProvider.System).RunAsync(new VerificationOptions(), new RecordingReporter(), CancellationToken.None);
        var finished = await CollectAsync(new GarbageCollectionOptions(), new RecordingReporter());

        Assert.True(interrupted.Interrupted);
        Assert.InRange(interrupted.BlobsDeleted, 1, 19);
        Assert.True(verification.IsClean, string.Join("\n", verification.Problems));
        await _builder.AssertWholeAsync(image);
        Assert.Equal(20, interrupted.BlobsDeleted + finished.BlobsDeleted);
        Assert.Equal(image.Blobs.Count, _store.Files().Count(f => f.StartsWith("blobs", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Run_CancelledBeforeTheSweep_DeletesNothing()
    {
        await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)]);
        await _store.PushBlobAsync(App, _builder.RandomBytes(64));
        FileAges.Backdate(_store.Root, Old);
        var before = FileAges.Snapshot(_store.Root);
        using var cancellation = new CancellationTokenSource();
        var reporter = new RecordingReporter(p =>
        {
            if (p.Phase == "marking")
            {
                cancellation.Cancel();
            }
        });

        var summary = await new GarbageCollector(_store.Layout, TimeProvider.System).RunAsync(new GarbageCollectionOptions(), reporter, cancellation.Token);

        // The run's lock file is all it adds.
        var after = FileAges.Snapshot(_store.Root).Where(f => f.Key != Path.GetFileName(_store.Layout.GarbageCollectionLock));
        Assert.True(summary.Interrupted);
        Assert.Equal(0, summary.BlobsDeleted);
        Assert.Equal(before, after.ToDictionary());
    }

    private Task<GarbageCollectionSummary> CollectAsync(GarbageCollectionOptions options, RecordingReporter reporter) =>
        new GarbageCollector(_store.Layout, TimeProvider.System).RunAsync(options, reporter, CancellationToken.None);

    private static RecordingReporter OnFirst(string phase, Action action)
    {
        var done = false;
        return new RecordingReporter(p =>
        {
            if (!done && p.Phase == phase)
            {
                done = true;
                action();
            }
        });
    }
}
