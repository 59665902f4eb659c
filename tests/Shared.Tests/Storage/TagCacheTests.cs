using Microsoft.Extensions.Caching.Memory;
using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

/// <summary>
/// A tag's content held in memory by one instance, while another instance on the same store moves or deletes
/// it: the stamp of the tag file changes with every write, so the holder never answers with what it held.
/// </summary>
public sealed class TagCacheTests : IDisposable
{
    private static readonly RepositoryName App = RepositoryName.Parse("team/app");

    // Longer than a tag file must rest before its content is held (FileStamp.IsSettled).
    private static readonly TimeSpan Rest = TimeSpan.FromSeconds(2.5);

    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Tag_HeldInMemoryThenMovedAndDeletedByAnotherInstance_EveryPullSeesTheWrite()
    {
        var (first, firstContent) = await _store.PushImageAsync(App, "v1");
        var (second, secondContent) = await _store.PushImageAsync(App, "v2");
        var other = new ManifestStore(_store.Layout, _store.Blobs, new TagStore(_store.Layout), _store.Referrers, new MemoryCache(new MemoryCacheOptions { SizeLimit = 1024 * 1024 }), TimeProvider.System);
        await _store.Manifests.PutAsync(App, Reference.Parse("moving"), firstContent, MediaTypes.OciManifest, CancellationToken.None);
        await Task.Delay(Rest);
        Assert.Equal(first, (await GetAsync(_store.Manifests, "moving"))?.Digest);
        Assert.Equal(first, (await GetAsync(_store.Manifests, "moving"))?.Digest);

        await other.PutAsync(App, Reference.Parse("moving"), secondContent, MediaTypes.OciManifest, CancellationToken.None);
        var moved = await GetAsync(_store.Manifests, "moving");
        await Task.Delay(Rest);
        var movedAndRested = await GetAsync(_store.Manifests, "moving");
        Assert.True(await other.DeleteAsync(App, Reference.Parse("moving"), CancellationToken.None));
        var deleted = await GetAsync(_store.Manifests, "moving");

        Assert.Equal(second, moved?.Digest);
        Assert.Equal(second, movedAndRested?.Digest);
        Assert.Null(deleted);
    }

    [Fact]
    public async Task FileStamp_FileReplacedByRenameWithTheSameSizeAndTimes_Differs()
    {
        var path = Path.Combine(_store.Root, "stamped");
        File.WriteAllText(path, "sha256:aaaa");
        var before = FileStamp.OfOrNull(path);
        var time = File.GetLastWriteTimeUtc(path);
        await AtomicFile.WriteTextAsync(path, "sha256:bbbb", CancellationToken.None);
        File.SetLastWriteTimeUtc(path, time);

        Assert.NotNull(before);
        Assert.NotEqual(before, FileStamp.OfOrNull(path));
        Assert.Null(FileStamp.OfOrNull(Path.Combine(_store.Root, "absent")));
        Assert.Null(FileStamp.OfOrNull(Path.Combine(_store.Root, "absent", "below")));
    }

    [Fact]
    public async Task SharedStat_ManyAtOnce_EachSeesTheFileAsItWasWhenItAsked()
    {
        var stats = new SharedStat();
        var path = Path.Combine(_store.Root, "shared");

        var missing = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () => await stats.StatOrNullAsync(path, CancellationToken.None))));
        await File.WriteAllTextAsync(path, "x");
        var present = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () => await stats.StatOrNullAsync(path, CancellationToken.None))));

        Assert.All(missing, Assert.Null);
        Assert.All(present, stamp => Assert.Equal(FileStamp.OfOrNull(path), stamp));
    }

    private static Task<StoredManifest?> GetAsync(ManifestStore manifests, string reference) =>
        manifests.GetOrNullAsync(App, Reference.Parse(reference), CancellationToken.None);
}
