using System.Text.Json;
using NeonRegistry.Maintenance;
using NeonRegistry.Oci;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Maintenance;

/// <summary>
/// --delete-untagged: revisions no tag reaches go, but never a child of a kept index nor a referrer of a kept
/// manifest, and never the blobs another repository's kept manifest needs.
/// </summary>
public sealed class GarbageCollectorDeleteUntaggedTests : IDisposable
{
    private static readonly RepositoryName App = RepositoryName.Parse("team/app");
    private static readonly RepositoryName Other = RepositoryName.Parse("other");
    private static readonly TimeSpan Old = TimeSpan.FromHours(2);

    private readonly TempStore _store = new();
    private readonly StoreBuilder _builder;

    public GarbageCollectorDeleteUntaggedTests() => _builder = new StoreBuilder(_store);

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Run_DeleteUntagged_RemovesUnreachableRevisionsAndTheBlobsOnlyTheyNeed()
    {
        var shared = _builder.RandomBytes(64);
        var tagged = await _builder.ImageAsync(App, "v2", [shared]);
        var untagged = await _builder.ImageAsync(App, tag: null, [shared, _builder.RandomBytes(64)]);
        var orphanedSignature = await _builder.ReferrerAsync(App, untagged);
        FileAges.Backdate(_store.Root, Old);
        var reporter = new RecordingReporter();

        var summary = await CollectAsync(new GarbageCollectionOptions { DeleteUntagged = true }, reporter);

        await _builder.AssertWholeAsync(tagged);
        Assert.False(_store.Manifests.Exists(App, untagged.Digest));
        Assert.False(_store.Manifests.Exists(App, orphanedSignature.Digest));
        Assert.Empty(await _store.Referrers.ListAsync(App, untagged.Digest, CancellationToken.None));
        Assert.Equal(
            new[] { untagged.Digest, orphanedSignature.Digest }.Order(DigestOrder.Instance),
            reporter.Digests(MaintenanceEventKind.ManifestDeleted).Order(DigestOrder.Instance));
        Assert.True(_store.Blobs.Exists(Digest.Compute(shared)));
        Assert.All(untagged.Blobs.Where(b => b != Digest.Compute(shared)).Concat(orphanedSignature.Blobs), b => Assert.False(_store.Blobs.Exists(b)));
        Assert.Equal((1, 2), (summary.ManifestsKept, summary.ManifestsDeleted));
    }

    [Fact]
    public async Task Run_DeleteUntagged_KeepsChildrenOfATaggedIndexAndReferrersOfKeptManifests()
    {
        var amd64 = await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)]);
        var arm64 = await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)]);
        var index = await _builder.IndexAsync(App, "multi", [amd64, arm64]);
        var indexSignature = await _builder.ReferrerAsync(App, index);
        var childSbom = await _builder.ReferrerAsync(App, arm64);
        var signatureOfSignature = await _builder.ReferrerAsync(App, indexSignature);
        FileAges.Backdate(_store.Root, Old);

        var summary = await CollectAsync(new GarbageCollectionOptions { DeleteUntagged = true });

        foreach (var manifest in new[] { amd64, arm64, index, indexSignature, childSbom, signatureOfSignature })
        {
            await _builder.AssertWholeAsync(manifest);
        }

        Assert.Equal(2, (await _store.Referrers.ListAsync(App, index.Digest, CancellationToken.None)).Count + (await _store.Referrers.ListAsync(App, arm64.Digest, CancellationToken.None)).Count);
        Assert.Equal((6, 0, 0), (summary.ManifestsKept, summary.ManifestsDeleted, summary.BlobsDeleted));
    }

    [Fact]
    public async Task Run_DeleteUntagged_ManifestTaggedInAnotherRepository_KeepsItsBlobs()
    {
        var layer = _builder.RandomBytes(64);
        var inApp = await _builder.ImageAsync(App, tag: null, [layer]);
        var content = await _store.Blobs.ReadOrNullAsync(inApp.Digest, CancellationToken.None);
        await _store.PushBlobAsync(Other, layer);
        foreach (var blob in inApp.Blobs.Skip(1))
        {
            _store.Blobs.Link(Other, blob);
        }

        await _store.Manifests.PutAsync(Other, Reference.Parse("v1"), content!, MediaTypes.OciManifest, CancellationToken.None);
        FileAges.Backdate(_store.Root, Old);

        var summary = await CollectAsync(new GarbageCollectionOptions { DeleteUntagged = true });

        Assert.False(_store.Manifests.Exists(App, inApp.Digest));
        await _builder.AssertWholeAsync(inApp with { Repository = Other });
        Assert.Equal((1, 1, 0), (summary.ManifestsKept, summary.ManifestsDeleted, summary.BlobsDeleted));
    }

    [Fact]
    public async Task Run_ChildWithoutItsOwnMediaTypeField_IsReadAsTheIndexNamesItWithoutWarnings()
    {
        var config = _builder.RandomBytes(32);
        var layer = _builder.RandomBytes(32);
        await _store.PushBlobAsync(App, config);
        await _store.PushBlobAsync(App, layer);

        // image-spec lets a manifest omit mediaType; the type then comes from the push's Content-Type or a descriptor.
        var content = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["config"] = TestManifests.DescriptorOf(TestManifests.OciConfig, config),
            ["layers"] = new[] { TestManifests.DescriptorOf(TestManifests.OciLayer, layer) },
        });
        var digest = Digest.Compute(content);
        await _store.Manifests.PutAsync(App, Reference.Parse(digest.ToString()), content, MediaTypes.OciManifest, CancellationToken.None);
        var child = new BuiltManifest(App, digest, new Descriptor(MediaTypes.OciManifest, digest.ToString(), content.Length), [digest, Digest.Compute(config), Digest.Compute(layer)]);
        var index = await _builder.IndexAsync(App, "multi", [child]);
        await _store.Manifests.DeleteAsync(App, Reference.Parse(digest.ToString()), CancellationToken.None);
        FileAges.Backdate(_store.Root, Old);

        var summary = await CollectAsync(new GarbageCollectionOptions { DeleteUntagged = true });

        Assert.Equal(0, summary.Warnings);
        await _builder.AssertWholeAsync(index);
        Assert.Equal((1, 0), (summary.ManifestsKept, summary.BlobsDeleted));
    }

    private Task<GarbageCollectionSummary> CollectAsync(GarbageCollectionOptions options, RecordingReporter? reporter = null) =>
        new GarbageCollector(_store.Layout, TimeProvider.System).RunAsync(options, reporter ?? new RecordingReporter(), CancellationToken.None);
}
