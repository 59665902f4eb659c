using NeonRegistry.Oci;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

public sealed class RepositoryCatalogTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public void List_EmptyStore_ReturnsEmpty()
    {
        Assert.Empty(_store.Catalog.List());
    }

    [Fact]
    public async Task List_NestedRepositories_AllInOrdinalOrder()
    {
        foreach (var name in new[] { "b", "library/ubuntu", "a/b/c", "a", "a-b", "a.b", "library/debian" })
        {
            await _store.PushImageAsync(RepositoryName.Parse(name), "latest");
        }

        Assert.Equal(["a", "a-b", "a.b", "a/b/c", "b", "library/debian", "library/ubuntu"], _store.Catalog.List());
    }

    [Fact]
    public async Task List_DirectoriesWithoutManifests_AreSkipped()
    {
        // "library" and "a/b" exist only as parents; "blobs/only" holds blobs but no manifest yet.
        await _store.PushImageAsync(RepositoryName.Parse("library/ubuntu"), "latest");
        await _store.PushImageAsync(RepositoryName.Parse("a/b/c"), "latest");
        await _store.PushBlobAsync(RepositoryName.Parse("blobs/only"), [1, 2, 3]);

        Assert.Equal(["a/b/c", "library/ubuntu"], _store.Catalog.List());
    }

    [Fact]
    public async Task List_RepositoryWithoutTags_IsStillListed()
    {
        // Its manifests remain reachable by digest, so it is still a repository.
        var name = RepositoryName.Parse("untagged");
        await _store.PushImageAsync(name, "temp");
        _store.Tags.Delete(name, "temp");

        Assert.Equal(["untagged"], _store.Catalog.List());
    }

    [Fact]
    public async Task List_HiddenDirectory_IsSkipped()
    {
        await _store.PushImageAsync(RepositoryName.Parse("app"), "latest");
        Directory.CreateDirectory(Path.Combine(_store.Layout.RepositoriesRoot, ".tmp-0123", "_manifests"));

        Assert.Equal(["app"], _store.Catalog.List());
    }
}
