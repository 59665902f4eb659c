using NeonRegistry.Maintenance;
using NeonRegistry.Oci;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Maintenance;

/// <summary>
/// A push renews the modification time of every blob and child manifest it uses: what lets garbage collection's
/// grace period protect old content that a push running during collection starts to reference again.
/// </summary>
public sealed class UsageRenewalTests : IDisposable
{
    private static readonly RepositoryName App = RepositoryName.Parse("app");
    private static readonly RepositoryName Other = RepositoryName.Parse("other");
    private static readonly TimeSpan Old = TimeSpan.FromDays(3);

    private readonly TempStore _store = new();
    private readonly StoreBuilder _builder;

    public UsageRenewalTests() => _builder = new StoreBuilder(_store);

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task CommitOfAnExistingBlob_RenewsItsTime()
    {
        var content = _builder.RandomBytes(64);
        var digest = await _store.PushBlobAsync(App, content);
        FileAges.Backdate(_store.Root, Old);

        await _store.PushBlobAsync(Other, content);

        AssertRecent(_store.Layout.Blob(digest));
    }

    [Fact]
    public async Task Link_AsAMountDoes_RenewsTheBlobsTime()
    {
        var digest = await _store.PushBlobAsync(App, _builder.RandomBytes(64));
        FileAges.Backdate(_store.Root, Old);

        _store.Blobs.Link(Other, digest);

        AssertRecent(_store.Layout.Blob(digest));
    }

    [Fact]
    public async Task ManifestPush_RenewsEveryBlobAndChildItNames()
    {
        var child = await _builder.ImageAsync(App, tag: null, [_builder.RandomBytes(64)]);
        FileAges.Backdate(_store.Root, Old);

        var content = (await _store.Blobs.ReadOrNullAsync(child.Digest, CancellationToken.None))!;
        await _store.Manifests.PutAsync(App, Reference.Parse("again"), content, MediaTypes.OciManifest, CancellationToken.None);
        var index = await _builder.IndexAsync(App, "multi", [child]);

        Assert.All(child.Blobs, b => AssertRecent(_store.Layout.Blob(b)));
        AssertRecent(_store.Layout.ManifestRevision(App, child.Digest));
        AssertRecent(_store.Layout.ManifestRevision(App, index.Digest));
    }

    [Fact]
    public void Touch_MissingBlob_ReturnsFalseAndCreatesNothing()
    {
        var digest = Digest.Compute([1, 2, 3]);

        Assert.False(_store.Blobs.Touch(digest));
        Assert.Empty(_store.Files());
    }

    [Fact]
    public async Task Touches_RenewOnTheStoresClock()
    {
        var now = DateTimeOffset.UtcNow.AddDays(30);
        using var store = new TempStore(new FixedClock(now));
        var builder = new StoreBuilder(store);
        var child = await builder.ImageAsync(App, tag: null, [builder.RandomBytes(64)]);
        FileAges.Backdate(store.Root, Old);

        await builder.IndexAsync(App, "multi", [child]);

        AssertAt(now, store.Layout.Blob(child.Digest));
        AssertAt(now, store.Layout.ManifestRevision(App, child.Digest));
    }

    [Fact]
    public async Task GarbageCollection_OnTheStoresClock_KeepsWhatAPushRenewed()
    {
        // Collector and stores share one clock, a month ahead of the wall's: a push renews the blob to that clock's
        // now, so the grace period protects it; renewed on the wall clock, it would look a month old and go.
        var clock = new FixedClock(DateTimeOffset.UtcNow.AddDays(30));
        using var store = new TempStore(clock);
        var content = new StoreBuilder(store).RandomBytes(64);
        var digest = await store.PushBlobAsync(App, content);
        FileAges.Backdate(store.Root, Old);

        await store.PushBlobAsync(Other, content);
        store.Blobs.Unlink(App, digest);
        store.Blobs.Unlink(Other, digest);
        await new GarbageCollector(store.Layout, clock).RunAsync(new GarbageCollectionOptions { Grace = TimeSpan.FromDays(1) }, NullMaintenanceReporter.Instance, CancellationToken.None);

        Assert.True(store.Blobs.Exists(digest));
    }

    private static void AssertAt(DateTimeOffset expected, string path) =>
        Assert.InRange(File.GetLastWriteTimeUtc(path), expected.UtcDateTime.AddSeconds(-1), expected.UtcDateTime.AddSeconds(1));

    private static void AssertRecent(string path) =>
        Assert.InRange(DateTime.UtcNow - File.GetLastWriteTimeUtc(path), TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(1));
}
