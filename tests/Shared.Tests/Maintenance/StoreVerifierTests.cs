using NeonRegistry.Maintenance;
using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Maintenance;

public sealed class StoreVerifierTests : IDisposable
{
    private static readonly RepositoryName App = RepositoryName.Parse("app");

    private readonly TempStore _store = new();
    private readonly StoreBuilder _builder;

    public StoreVerifierTests() => _builder = new StoreBuilder(_store);

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Run_IntactStore_IsClean()
    {
        var image = await _builder.ImageAsync(App, "v1", [_builder.RandomBytes(5000)]);
        await _builder.IndexAsync(App, "multi", [image]);
        await _builder.ReferrerAsync(App, image);

        var summary = await VerifyAsync();

        Assert.True(summary.IsClean, string.Join("\n", summary.Problems));
        Assert.Equal((7, 3, 2), (summary.BlobsChecked, summary.ManifestsChecked, summary.TagsChecked));
        Assert.Equal(_store.Files().Where(f => f.StartsWith("blobs", StringComparison.Ordinal)).Sum(f => new FileInfo(Path.Combine(_store.Root, f)).Length), summary.BytesChecked);
    }

    [Fact]
    public async Task Run_FlippedByte_ReportsTheBlobCorruptAndTheManifestsNamingIt()
    {
        var layer = _builder.RandomBytes(5000);
        var image = await _builder.ImageAsync(App, "v1", [layer]);
        var path = _store.Layout.Blob(Digest.Compute(layer));
        FlipByte(path, 2500);

        var summary = await VerifyAsync();

        Assert.False(summary.IsClean);
        Assert.Equal(1, summary.BlobsCorrupt);
        Assert.Equal([Digest.Compute(layer)], summary.Problems.Where(p => p.Kind == MaintenanceEventKind.BlobCorrupt).Select(p => p.Digest!.Value));
        Assert.Contains(summary.Problems, p => p.Kind == MaintenanceEventKind.ContentMissing && p.Message.Contains(image.Digest.ToString()) && p.Message.Contains("corrupt"));
        Assert.True(File.Exists(path), "without repair nothing moves");
    }

    [Fact]
    public async Task Run_Repair_MovesTheCorruptBlobAsideAndARepushMakesTheStoreClean()
    {
        var layer = _builder.RandomBytes(5000);
        var image = await _builder.ImageAsync(App, "v1", [layer]);
        var digest = Digest.Compute(layer);
        var corrupt = File.ReadAllBytes(_store.Layout.Blob(digest));
        corrupt[0] ^= 1;
        File.WriteAllBytes(_store.Layout.Blob(digest), corrupt);

        var repaired = await VerifyAsync(repair: true);
        var servedAfterRepair = _store.Blobs.FindOrNull(App, digest);
        var afterRepair = await VerifyAsync();
        await _store.PushBlobAsync(App, layer);
        var afterRepush = await VerifyAsync();

        Assert.Equal(1, repaired.BlobsQuarantined);
        Assert.Null(servedAfterRepair);
        Assert.Equal(corrupt, File.ReadAllBytes(_store.Layout.QuarantinedBlob(digest)));
        Assert.Equal(layer, File.ReadAllBytes(_store.Layout.Blob(digest)));
        Assert.False(afterRepair.IsClean);
        Assert.Contains(afterRepair.Problems, p => p.Kind == MaintenanceEventKind.ContentMissing && p.Digest == digest && p.Message.Contains("missing"));
        Assert.True(afterRepush.IsClean, string.Join("\n", afterRepush.Problems));
        await _builder.AssertWholeAsync(image);
    }

    [Fact]
    public async Task Run_MissingBlob_ReportsTheManifestThatNamesIt()
    {
        var layer = _builder.RandomBytes(100);
        var image = await _builder.ImageAsync(App, "v1", [layer]);
        File.Delete(_store.Layout.Blob(Digest.Compute(layer)));

        var summary = await VerifyAsync();

        var problem = Assert.Single(summary.Problems);
        Assert.Equal(MaintenanceEventKind.ContentMissing, problem.Kind);
        Assert.Equal(Digest.Compute(layer), problem.Digest);
        Assert.Contains($"{App}@{image.Digest}", problem.Message);
    }

    [Fact]
    public async Task Run_BlobLeftAsideByAKilledGarbageCollect_IsReportedWithWhatPutsItBack()
    {
        var layer = _builder.RandomBytes(100);
        await _builder.ImageAsync(App, "v1", [layer]);
        var blob = _store.Layout.Blob(Digest.Compute(layer));
        File.Move(blob, Path.Combine(Path.GetDirectoryName(blob)!, StorageLayout.SetAsidePrefix + Path.GetFileName(blob)));

        var summary = await VerifyAsync();

        Assert.Contains(summary.Problems, p => p.Message.Contains("taken out of view by a garbage-collect that did not finish; run garbage-collect to put it back"));
        Assert.Contains(summary.Problems, p => p.Digest == Digest.Compute(layer));
    }

    [Fact]
    public async Task Run_DanglingRevisionChildAndReferrer_AreEachReported()
    {
        var image = await _builder.ImageAsync(App, "v1", [_builder.RandomBytes(100)]);
        var referrer = await _builder.ReferrerAsync(App, image);
        var child = await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(100)]);
        var index = await _builder.IndexAsync(App, "multi", [child]);
        File.Delete(_store.Layout.Blob(image.Digest));
        File.Delete(_store.Layout.ManifestRevision(App, referrer.Digest));
        File.Delete(_store.Layout.ManifestRevision(App, child.Digest));

        var summary = await VerifyAsync();

        Assert.Equal(
            new[]
            {
                $"index {App}@{index.Digest} names manifest {child.Digest}, which '{App}' does not hold",
                $"manifest {App}@{image.Digest}: its content is missing",
                $"the referrers of {App}@{image.Digest} list {referrer.Digest}, which '{App}' does not hold",
            }.Order(StringComparer.Ordinal),
            summary.Problems.Select(p => p.Message).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Run_TagNamingAManifestTheRepositoryLacks_IsReported()
    {
        var image = await _builder.ImageAsync(App, "v1", [_builder.RandomBytes(100)]);
        await _store.Tags.SetAsync(App, "broken", Digest.Compute([9]), CancellationToken.None);

        var summary = await VerifyAsync();

        var problem = Assert.Single(summary.Problems);
        Assert.Equal($"tag {App}:broken points at {Digest.Compute([9])}, which '{App}' does not hold", problem.Message);
        await _builder.AssertWholeAsync(image);
    }

    [Fact]
    public async Task Run_CacheStore_AbsentContentIsNormalButCorruptionIsNot()
    {
        var layer = _builder.RandomBytes(100);
        await _builder.ImageAsync(App, "v1", [layer]);
        var evicted = await _builder.ImageAsync(App, "v2", [_builder.RandomBytes(100)]);
        var corrupt = await _builder.ImageAsync(App, "v3", [_builder.RandomBytes(100)]);
        File.Delete(_store.Layout.Blob(Digest.Compute(layer)));
        File.Delete(_store.Layout.Blob(evicted.Digest));
        FlipByte(_store.Layout.Blob(corrupt.Blobs[^1]), 0);

        var asCache = await VerifyAsync(cacheStore: true);
        var asRegistry = await VerifyAsync();

        Assert.Equal([corrupt.Blobs[^1]], asCache.Problems.Select(p => p.Digest!.Value));
        Assert.Equal(MaintenanceEventKind.BlobCorrupt, Assert.Single(asCache.Problems).Kind);
        Assert.Contains(asRegistry.Problems, p => p.Digest == Digest.Compute(layer));
        Assert.Contains(asRegistry.Problems, p => p.Digest == evicted.Digest);
    }

    private Task<VerificationSummary> VerifyAsync(bool repair = false, bool cacheStore = false) =>
        new StoreVerifier(_store.Layout, TimeProvider.System).RunAsync(
            new VerificationOptions { Repair = repair, CacheStore = cacheStore },
            new RecordingReporter(),
            CancellationToken.None);

    private static void FlipByte(string path, int offset)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }
}
