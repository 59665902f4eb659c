using System.Security.Cryptography;
using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

public sealed class TagStoreTests : IDisposable
{
    private static readonly RepositoryName App = RepositoryName.Parse("app");
    private static readonly Digest First = Digest.Compute([1]);
    private static readonly Digest Second = Digest.Compute([2]);

    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task SetAsync_ThenResolve_ReturnsTheDigest()
    {
        await _store.Tags.SetAsync(App, "v1", First, CancellationToken.None);

        Assert.Equal(First, Resolve("v1"));
        Assert.Equal(First.ToString(), await File.ReadAllTextAsync(_store.Layout.TagLink(App, "v1")));
    }

    [Fact]
    public async Task SetAsync_ExistingTag_MovesItAndLeavesNoTempFile()
    {
        await _store.Tags.SetAsync(App, "latest", First, CancellationToken.None);

        await _store.Tags.SetAsync(App, "latest", Second, CancellationToken.None);

        Assert.Equal(Second, Resolve("latest"));
        Assert.Equal([Path.GetRelativePath(_store.Root, _store.Layout.TagLink(App, "latest"))], _store.Files());
    }

    [Fact]
    public async Task ResolveOrNull_Unknown_ReturnsNull()
    {
        await _store.Tags.SetAsync(App, "v1", First, CancellationToken.None);

        Assert.Null(Resolve("v2"));
        Assert.Null(_store.Tags.ResolveOrNull(RepositoryName.Parse("never/pushed"), "v1"));
    }

    [Fact]
    public async Task ResolveOrNull_FileNotHoldingADigest_ReturnsNull()
    {
        var link = _store.Layout.TagLink(App, "broken");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        await File.WriteAllTextAsync(link, "sha256:not-a-digest");

        Assert.Null(Resolve("broken"));
    }

    [Fact]
    public async Task ResolveOrNull_DigestFollowedByMore_ReturnsNull()
    {
        var link = _store.Layout.TagLink(App, "long");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        await File.WriteAllTextAsync(link, First + new string(' ', 300));

        Assert.Null(Resolve("long"));
    }

    [Fact]
    public async Task SetAsync_Sha512Digest_ResolvesToIt()
    {
        var digest = Digest.FromHash(Digest.Sha512, SHA512.HashData([1]));

        await _store.Tags.SetAsync(App, "v1", digest, CancellationToken.None);

        Assert.Equal(digest, Resolve("v1"));
    }

    [Fact]
    public async Task Delete_ExistingTag_RemovesItOnce()
    {
        await _store.Tags.SetAsync(App, "v1", First, CancellationToken.None);

        Assert.True(_store.Tags.Delete(App, "v1"));
        Assert.False(_store.Tags.Delete(App, "v1"));

        Assert.Null(Resolve("v1"));
    }

    [Fact]
    public void ListOrNull_RepositoryWithoutManifests_ReturnsNull()
    {
        // Blobs alone do not make a repository: distribution-spec answers NAME_UNKNOWN for its tag list.
        _store.Blobs.Link(App, First);

        Assert.Null(_store.Tags.ListOrNull(App));
    }

    [Fact]
    public void ListOrNull_ManifestsButNoTags_ReturnsEmpty()
    {
        Directory.CreateDirectory(_store.Layout.ManifestsDirectory(App));

        Assert.Equal([], _store.Tags.ListOrNull(App));
    }

    [Fact]
    public async Task ListOrNull_Tags_InOrdinalOrder()
    {
        foreach (var tag in new[] { "v2", "latest", "v10", "V1", "_build", "1.0" })
        {
            await _store.Tags.SetAsync(App, tag, First, CancellationToken.None);
        }

        Assert.Equal(["1.0", "V1", "_build", "latest", "v10", "v2"], _store.Tags.ListOrNull(App));
    }

    [Fact]
    public async Task ListOrNull_LeftoverTempFile_IsNotATag()
    {
        // What a crash between writing and renaming a tag leaves behind.
        await _store.Tags.SetAsync(App, "v1", First, CancellationToken.None);
        await File.WriteAllTextAsync(AtomicFile.TempPathFor(_store.Layout.TagLink(App, "v1")), Second.ToString());

        Assert.Equal(["v1"], _store.Tags.ListOrNull(App));
        Assert.Equal(First, Resolve("v1"));
    }

    [Fact]
    public async Task FindPointingAt_Digest_ReturnsOnlyTheTagsOnIt()
    {
        await _store.Tags.SetAsync(App, "v1", First, CancellationToken.None);
        await _store.Tags.SetAsync(App, "latest", First, CancellationToken.None);
        await _store.Tags.SetAsync(App, "v2", Second, CancellationToken.None);

        var pointing = _store.Tags.FindPointingAt(App, First);

        Assert.Equal(["latest", "v1"], pointing);
        Assert.Empty(_store.Tags.FindPointingAt(App, Digest.Compute([3])));
    }

    [Fact]
    public async Task Tags_SameNameInTwoRepositories_AreIndependent()
    {
        var other = RepositoryName.Parse("app/nested");
        await _store.Tags.SetAsync(App, "v1", First, CancellationToken.None);
        await _store.Tags.SetAsync(other, "v1", Second, CancellationToken.None);

        Assert.Equal(First, Resolve("v1"));
        Assert.Equal(Second, _store.Tags.ResolveOrNull(other, "v1"));
    }

    private Digest? Resolve(string tag) => _store.Tags.ResolveOrNull(App, tag);
}
