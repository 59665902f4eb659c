using System.Security.Cryptography;
using NeonRegistry.Oci;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

public sealed class BlobStoreTests : IDisposable
{
    private static readonly RepositoryName App = RepositoryName.Parse("team/app");
    private static readonly RepositoryName Other = RepositoryName.Parse("team/other");

    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task FindOrNull_LinkedBlob_ReturnsPathAndSize()
    {
        var content = RandomNumberGenerator.GetBytes(321);
        var digest = await _store.PushBlobAsync(App, content);

        var blob = _store.Blobs.FindOrNull(App, digest);

        Assert.NotNull(blob);
        Assert.Equal(digest, blob.Digest);
        Assert.Equal(321, blob.Size);
        Assert.Equal(content, await File.ReadAllBytesAsync(blob.Path));
    }

    [Fact]
    public async Task FindOrNull_BlobOnlyInAnotherRepository_ReturnsNull()
    {
        // A blob is visible only where it was pushed or mounted, though it is stored once.
        var digest = await _store.PushBlobAsync(App, RandomNumberGenerator.GetBytes(10));

        Assert.Null(_store.Blobs.FindOrNull(Other, digest));
        Assert.True(_store.Blobs.Exists(digest));
    }

    [Fact]
    public async Task Link_Twice_IsIdempotentAndMakesTheBlobVisible()
    {
        var digest = await _store.PushBlobAsync(App, RandomNumberGenerator.GetBytes(10));

        _store.Blobs.Link(Other, digest);
        _store.Blobs.Link(Other, digest);

        Assert.NotNull(_store.Blobs.FindOrNull(Other, digest));
    }

    [Fact]
    public async Task Unlink_LinkedBlob_HidesItButKeepsTheContent()
    {
        var digest = await _store.PushBlobAsync(App, RandomNumberGenerator.GetBytes(10));

        Assert.True(_store.Blobs.Unlink(App, digest));
        Assert.False(_store.Blobs.Unlink(App, digest));

        Assert.Null(_store.Blobs.FindOrNull(App, digest));
        Assert.True(_store.Blobs.Exists(digest));
    }

    [Fact]
    public void FindOrNull_LinkWithoutContent_ReturnsNull()
    {
        // A link whose blob was swept must not be served.
        var digest = Digest.Compute([1, 2, 3]);
        _store.Blobs.Link(App, digest);

        Assert.Null(_store.Blobs.FindOrNull(App, digest));
    }

    [Fact]
    public async Task PutAsync_ThenReadOrNullAsync_ReturnsTheBytes()
    {
        byte[] content = [1, 2, 3];
        var digest = Digest.Compute(content);

        await _store.Blobs.PutAsync(digest, content, CancellationToken.None);

        Assert.Equal(content, await _store.Blobs.ReadOrNullAsync(digest, CancellationToken.None));
    }

    [Fact]
    public async Task ReadOrNullAsync_Missing_ReturnsNull()
    {
        Assert.Null(await _store.Blobs.ReadOrNullAsync(Digest.Compute([4]), CancellationToken.None));
    }
}
