using NeonRegistry.Maintenance;
using NeonRegistry.Oci;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Maintenance;

/// <summary>
/// Garbage collection and verify over content addressed by sha512 (blobs/sha512/..., revisions, links and referrers
/// under sha512 directories): marked from the manifests that name it, swept when nothing does, re-hashed with sha512.
/// </summary>
public sealed class Sha512MaintenanceTests : IDisposable
{
    private static readonly RepositoryName App = RepositoryName.Parse("app");
    private static readonly TimeSpan Old = TimeSpan.FromHours(2);

    private readonly TempStore _store = new();
    private readonly StoreBuilder _builder;

    public Sha512MaintenanceTests() => _builder = new StoreBuilder(_store);

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task GarbageCollect_TaggedSha512Image_KeepsItAndSweepsAnOrphanSha512Blob()
    {
        var image = await TaggedSha512ImageAsync("v1");
        var orphan = await _store.PushBlobAsync(App, _builder.RandomBytes(300), Digest.Sha512);
        FileAges.Backdate(_store.Root, Old);

        var summary = await CollectAsync(new GarbageCollectionOptions { DeleteUntagged = true });

        await _builder.AssertWholeAsync(image);
        Assert.False(_store.Blobs.Exists(orphan));
        Assert.False(File.Exists(_store.Layout.LayerLink(App, orphan)));
        Assert.Equal((1, 300), (summary.BlobsDeleted, summary.BytesFreed));
        Assert.All(image.Blobs, b => Assert.Equal(Digest.Sha512, b.Algorithm));
    }

    [Fact]
    public async Task GarbageCollect_DeletedSha512Manifest_SweepsEveryBlobOnlyItNamed()
    {
        var image = await TaggedSha512ImageAsync("v1");
        await _store.Manifests.DeleteAsync(App, Reference.Parse(image.Digest.ToString()), CancellationToken.None);
        FileAges.Backdate(_store.Root, Old);

        var summary = await CollectAsync();

        Assert.All(image.Blobs, b => Assert.False(_store.Blobs.Exists(b), $"{b} is still stored"));
        Assert.Equal(image.Blobs.Count, summary.BlobsDeleted);
        Assert.DoesNotContain(_store.Files(), f => f.StartsWith(Path.Combine("blobs", "sha512", ""), StringComparison.Ordinal));
    }

    [Fact]
    public async Task GarbageCollect_DeleteUntagged_KeepsTheSha512ReferrerOfATaggedSubject()
    {
        var subject = await TaggedSha512ImageAsync("v1");
        var referrer = await _builder.ReferrerAsync(App, subject, algorithm: Digest.Sha512);
        var untagged = await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)], algorithm: Digest.Sha512);
        FileAges.Backdate(_store.Root, Old);

        await CollectAsync(new GarbageCollectionOptions { DeleteUntagged = true });

        await _builder.AssertWholeAsync(subject);
        await _builder.AssertWholeAsync(referrer);
        Assert.Contains(await _store.Referrers.ListAsync(App, subject.Digest, CancellationToken.None), d => d.Digest == referrer.Digest.ToString());
        Assert.False(_store.Manifests.Exists(App, untagged.Digest));
        Assert.All(untagged.Blobs, b => Assert.False(_store.Blobs.Exists(b)));
    }

    [Fact]
    public async Task Verify_IntactSha512Store_IsClean()
    {
        var image = await TaggedSha512ImageAsync("v1");
        await _builder.ReferrerAsync(App, image, algorithm: Digest.Sha512);

        var summary = await VerifyAsync();

        Assert.True(summary.IsClean, string.Join("\n", summary.Problems));
        Assert.Equal((6, 2, 1), (summary.BlobsChecked, summary.ManifestsChecked, summary.TagsChecked));
    }

    [Fact]
    public async Task Verify_FlippedByteInASha512Blob_ReportsItCorruptAndRepairQuarantinesIt()
    {
        var layer = _builder.RandomBytes(5000);
        await TaggedSha512ImageAsync("v1", layer);
        var digest = Digest.Compute(layer, Digest.Sha512);
        var path = _store.Layout.Blob(digest);
        var bytes = File.ReadAllBytes(path);
        bytes[2500] ^= 1;
        File.WriteAllBytes(path, bytes);

        var summary = await VerifyAsync(repair: true);

        Assert.Equal(1, summary.BlobsCorrupt);
        Assert.Equal([digest], summary.Problems.Where(p => p.Kind == MaintenanceEventKind.BlobCorrupt).Select(p => p.Digest!.Value));
        Assert.False(File.Exists(path));
        Assert.True(File.Exists(_store.Layout.QuarantinedBlob(digest)));
    }

    /// <summary>A sha512 image pushed by its sha512 digest and tagged in the same push, as a client does with ?tag=.</summary>
    private async Task<BuiltManifest> TaggedSha512ImageAsync(string tag, byte[]? layer = null)
    {
        var image = await _builder.ImageAsync(App, tag: null, [layer ?? _builder.RandomBytes(64)], algorithm: Digest.Sha512);
        var stored = await _store.Manifests.GetOrNullAsync(App, Reference.Parse(image.Digest.ToString()), CancellationToken.None);
        var pushed = await _store.Manifests.PutAsync(App, Reference.Parse(image.Digest.ToString()), stored!.Content, stored.MediaType, [tag], CancellationToken.None);
        Assert.Equal([tag], pushed.Tags);
        Assert.Equal(image.Digest, _store.Tags.ResolveOrNull(App, tag));
        return image;
    }

    private Task<GarbageCollectionSummary> CollectAsync(GarbageCollectionOptions? options = null) =>
        new GarbageCollector(_store.Layout, TimeProvider.System)
            .RunAsync(options ?? new GarbageCollectionOptions(), new RecordingReporter(), CancellationToken.None);

    private Task<VerificationSummary> VerifyAsync(bool repair = false) =>
        new StoreVerifier(_store.Layout, TimeProvider.System).RunAsync(
            new VerificationOptions { Repair = repair }, new RecordingReporter(), CancellationToken.None);
}
