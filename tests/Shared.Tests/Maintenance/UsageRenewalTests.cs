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

    private static void AssertRecent(string path) =>
        Assert.InRange(DateTime.UtcNow - File.GetLastWriteTimeUtc(path), TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(1));
}
