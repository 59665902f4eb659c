using System.Security.Cryptography;
using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

/// <summary>distribution-spec: a blob pushed whole in one request (single POST, or POST then PUT), on a real directory.</summary>
public sealed class UploadTakeInTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task TakeInWholeAsync_SinglePost_CommitsTheBlobWithoutAnUpload()
    {
        var content = RandomNumberGenerator.GetBytes(300 * 1024);
        var digest = Digest.Compute(content);

        await _store.Uploads.TakeInWholeAsync(null, new MemoryStream(content), content.Length, digest, CancellationToken.None);

        Assert.Equal(content, await File.ReadAllBytesAsync(_store.Layout.Blob(digest)));
        Assert.False(Directory.Exists(_store.Layout.UploadsRoot));
        Assert.Equal([Path.GetRelativePath(_store.Root, _store.Layout.Blob(digest))], _store.Files());
    }

    [Fact]
    public async Task TakeInWholeAsync_EmptyUpload_CommitsTheBlobAndDeletesTheUpload()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var digest = Digest.Compute(content, Digest.Sha512);
        var id = _store.Uploads.Start();

        await _store.Uploads.TakeInWholeAsync(id, new MemoryStream(content), null, digest, CancellationToken.None);

        Assert.Equal(content, await File.ReadAllBytesAsync(_store.Layout.Blob(digest)));
        Assert.Null(_store.Uploads.LengthOrNull(id));
    }

    [Fact]
    public async Task TakeInWholeAsync_BadDigest_DeletesTheUploadAndKeepsNoBlob()
    {
        var claimed = Digest.Compute([9, 9, 9]);
        var id = _store.Uploads.Start();

        var refused = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Uploads.TakeInWholeAsync(id, new MemoryStream([1, 2, 3]), 3, claimed, CancellationToken.None));

        Assert.Equal(OciErrorCode.DigestInvalid, refused.Code);
        Assert.Null(_store.Uploads.LengthOrNull(id));
        Assert.Empty(_store.Files());
    }

    [Fact]
    public async Task TakeInWholeAsync_ShorterThanDeclared_RefusesWithSizeInvalidAndKeepsNothing()
    {
        byte[] content = [1, 2, 3];
        var digest = Digest.Compute(content);

        var refused = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Uploads.TakeInWholeAsync(null, new MemoryStream(content), 4, digest, CancellationToken.None));

        Assert.Equal(OciErrorCode.SizeInvalid, refused.Code);
        Assert.Empty(_store.Files());
    }

    [Fact]
    public async Task TakeInWholeAsync_BodyBreaksOff_KeepsTheEmptyUploadAndNoBlob()
    {
        byte[] content = [1, 2, 3];
        var id = _store.Uploads.Start();

        await Assert.ThrowsAsync<IOException>(
            () => _store.Uploads.TakeInWholeAsync(id, new BrokenStream(content), 10, Digest.Compute(content), CancellationToken.None));

        Assert.Equal(0, _store.Uploads.LengthOrNull(id));
        Assert.Equal([Path.GetRelativePath(_store.Root, _store.Layout.UploadData(id))], _store.Files());
    }

    [Fact]
    public async Task TakeInWholeAsync_UploadHoldsBytes_RefusesWithRangeInvalidAndKeepsThem()
    {
        var id = _store.Uploads.Start();
        await _store.Uploads.AppendAsync(id, 0, new MemoryStream([1, 2]), 2, Digest.Sha256, discardOnFailure: false, CancellationToken.None);
        byte[] content = [3, 4, 5];

        var refused = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Uploads.TakeInWholeAsync(id, new MemoryStream(content), 3, Digest.Compute(content), CancellationToken.None));

        Assert.Equal(OciErrorCode.RangeInvalid, refused.Code);
        Assert.Equal(2, _store.Uploads.LengthOrNull(id));
        Assert.False(_store.Blobs.Exists(Digest.Compute(content)));
    }

    [Fact]
    public async Task TakeInWholeAsync_UnknownUpload_RefusesWithBlobUploadUnknown()
    {
        byte[] content = [1];

        var refused = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Uploads.TakeInWholeAsync(Guid.NewGuid().ToString("N"), new MemoryStream(content), 1, Digest.Compute(content), CancellationToken.None));

        Assert.Equal(OciErrorCode.BlobUploadUnknown, refused.Code);
        Assert.Empty(_store.Files());
    }

    /// <summary>A body that sends some bytes, then breaks off as a dropped connection does.</summary>
    private sealed class BrokenStream(byte[] content) : MemoryStream(content)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            await base.ReadAsync(buffer, cancellationToken) is > 0 and var read ? read : throw new IOException("connection reset");
    }
}
