using System.Security.Cryptography;
using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

/// <summary>distribution-spec: Pushing blobs (monolithic and chunked), on a real directory.</summary>
public sealed class UploadStoreTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public void Start_NewUpload_IsEmptyAndOnDisk()
    {
        var id = _store.Uploads.Start();

        Assert.True(StorageLayout.IsUploadId(id));
        Assert.Equal(0, _store.Uploads.LengthOrNull(id));
        Assert.True(File.Exists(_store.Layout.UploadData(id)));
        Assert.NotEqual(id, _store.Uploads.Start());
    }

    [Fact]
    public void LengthOrNull_NeverStarted_ReturnsNull()
    {
        Assert.Null(_store.Uploads.LengthOrNull(Guid.NewGuid().ToString("N")));
    }

    [Fact]
    public async Task AppendAsync_ChunksInOrder_ConcatenatesThem()
    {
        var id = _store.Uploads.Start();
        byte[] first = [1, 2, 3];
        byte[] second = [4, 5];

        var afterFirst = await AppendAsync(id, 0, first);
        var afterSecond = await AppendAsync(id, 3, second);

        Assert.Equal(3, afterFirst.Length);
        Assert.Equal(5, afterSecond.Length);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, await ReadDataAsync(id));
    }

    [Fact]
    public async Task AppendAsync_FromOffsetZero_ReportsTheSha256OfTheChunk()
    {
        var id = _store.Uploads.Start();
        byte[] content = [1, 2, 3];

        var first = await AppendAsync(id, 0, content);
        var second = await AppendAsync(id, 3, [4]);

        Assert.Equal(Digest.Compute(content), first.Hashed);
        Assert.Null(second.Hashed);
    }

    [Fact]
    public async Task AppendAsync_Sha512FromOffsetZero_ReportsTheSha512OfTheChunk()
    {
        var id = _store.Uploads.Start();
        var content = RandomNumberGenerator.GetBytes(200 * 1024 + 3);

        var progress = await _store.Uploads.AppendAsync(id, 0, new MemoryStream(content), content.Length, Digest.Sha512, discardOnFailure: false, CancellationToken.None);
        await _store.Uploads.CommitAsync(id, progress.Hashed!.Value, progress, CancellationToken.None);

        Assert.Equal(Digest.FromHash(Digest.Sha512, SHA512.HashData(content)), progress.Hashed);
        Assert.Equal(content, await File.ReadAllBytesAsync(_store.Layout.Blob(progress.Hashed.Value)));
    }

    [Fact]
    public async Task CommitAsync_Sha256HashedButSha512Digest_RereadsAndVerifiesWithSha512()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var sha512 = Digest.FromHash(Digest.Sha512, SHA512.HashData(content));
        var id = _store.Uploads.Start();
        var progress = await AppendAsync(id, 0, content);

        await _store.Uploads.CommitAsync(id, sha512, progress, CancellationToken.None);

        Assert.Equal(Digest.Sha256, progress.Hashed!.Value.Algorithm);
        Assert.Equal(content, await File.ReadAllBytesAsync(_store.Layout.Blob(sha512)));
    }

    [Fact]
    public async Task AppendAsync_ChunkLargerThanTheCopyBuffer_HashesEveryByte()
    {
        var id = _store.Uploads.Start();
        var content = RandomNumberGenerator.GetBytes(300 * 1024 + 17);

        var progress = await AppendAsync(id, 0, content);

        Assert.Equal(content.Length, progress.Length);
        Assert.Equal(Digest.Compute(content), progress.Hashed);
        Assert.Equal(content, await ReadDataAsync(id));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(100)]
    public async Task AppendAsync_OutOfOrder_ThrowsRangeInvalidAndKeepsTheData(long offset)
    {
        var id = _store.Uploads.Start();
        await AppendAsync(id, 0, [1, 2, 3]);

        var error = await Assert.ThrowsAsync<RegistryException>(() => AppendAsync(id, offset, [9, 9]));

        Assert.Equal(OciErrorCode.RangeInvalid, error.Code);
        Assert.Equal(new byte[] { 1, 2, 3 }, await ReadDataAsync(id));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task AppendAsync_DeclaredLengthDiffers_ThrowsSizeInvalidAndTruncatesBack(int declaredDifference)
    {
        var id = _store.Uploads.Start();
        await AppendAsync(id, 0, [1, 2, 3]);
        byte[] chunk = [4, 5, 6, 7];

        var error = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Uploads.AppendAsync(id, 3, new MemoryStream(chunk), chunk.Length + declaredDifference, Digest.Sha256, discardOnFailure: false, CancellationToken.None));

        Assert.Equal(OciErrorCode.SizeInvalid, error.Code);
        Assert.Equal(3, _store.Uploads.LengthOrNull(id));
        Assert.Equal(new byte[] { 1, 2, 3 }, await ReadDataAsync(id));
    }

    [Fact]
    public async Task AppendAsync_AfterSizeInvalid_TheSameOffsetStillContinues()
    {
        var id = _store.Uploads.Start();
        await AppendAsync(id, 0, [1, 2]);
        await Assert.ThrowsAsync<RegistryException>(
            () => _store.Uploads.AppendAsync(id, 2, new MemoryStream([3]), 5, Digest.Sha256, discardOnFailure: false, CancellationToken.None));

        var progress = await AppendAsync(id, 2, [3]);

        Assert.Equal(3, progress.Length);
        Assert.Equal(new byte[] { 1, 2, 3 }, await ReadDataAsync(id));
    }

    [Fact]
    public async Task AppendAsync_UnknownUpload_ThrowsBlobUploadUnknown()
    {
        var error = await Assert.ThrowsAsync<RegistryException>(() => AppendAsync(Guid.NewGuid().ToString("N"), 0, [1]));

        Assert.Equal(OciErrorCode.BlobUploadUnknown, error.Code);
    }

    [Fact]
    public async Task AppendAsync_CancelledUpload_ThrowsBlobUploadUnknown()
    {
        var id = _store.Uploads.Start();
        _store.Uploads.Cancel(id);

        var error = await Assert.ThrowsAsync<RegistryException>(() => AppendAsync(id, 0, [1]));

        Assert.Equal(OciErrorCode.BlobUploadUnknown, error.Code);
        Assert.False(Directory.Exists(_store.Layout.Upload(id)));
    }

    [Fact]
    public async Task CommitAsync_RightDigest_MovesTheBlobIntoTheStoreAndRemovesTheUpload()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var digest = Digest.Compute(content);
        var id = _store.Uploads.Start();
        var progress = await AppendAsync(id, 0, content);

        await _store.Uploads.CommitAsync(id, digest, progress, CancellationToken.None);

        Assert.True(_store.Blobs.Exists(digest));
        Assert.Equal(content, await File.ReadAllBytesAsync(_store.Layout.Blob(digest)));
        Assert.False(Directory.Exists(_store.Layout.Upload(id)));
        Assert.Null(_store.Uploads.LengthOrNull(id));
        Assert.Equal([Path.GetRelativePath(_store.Root, _store.Layout.Blob(digest))], _store.Files());
    }

    [Fact]
    public async Task CommitAsync_WrongDigest_ThrowsDigestInvalidAndLeavesNothing()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var wrong = Digest.Compute([.. content, 0]);
        var id = _store.Uploads.Start();
        var progress = await AppendAsync(id, 0, content);

        var error = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Uploads.CommitAsync(id, wrong, progress, CancellationToken.None));

        Assert.Equal(OciErrorCode.DigestInvalid, error.Code);
        Assert.False(_store.Blobs.Exists(wrong));
        Assert.False(_store.Blobs.Exists(Digest.Compute(content)));
        Assert.False(Directory.Exists(_store.Layout.Upload(id)));
        Assert.Empty(_store.Files());
    }

    [Fact]
    public async Task CommitAsync_AfterTwoAppends_RehashesTheDataFromDisk()
    {
        var first = RandomNumberGenerator.GetBytes(500);
        var second = RandomNumberGenerator.GetBytes(700);
        byte[] whole = [.. first, .. second];
        var digest = Digest.Compute(whole);
        var id = _store.Uploads.Start();
        await AppendAsync(id, 0, first);
        var progress = await AppendAsync(id, first.Length, second);

        await _store.Uploads.CommitAsync(id, digest, progress, CancellationToken.None);

        Assert.Null(progress.Hashed);
        Assert.Equal(whole, await File.ReadAllBytesAsync(_store.Layout.Blob(digest)));
    }

    [Fact]
    public async Task CommitAsync_AfterTwoAppendsWithWrongDigest_ThrowsDigestInvalid()
    {
        var first = RandomNumberGenerator.GetBytes(500);
        var id = _store.Uploads.Start();
        await AppendAsync(id, 0, first);
        var progress = await AppendAsync(id, first.Length, [1]);

        // The digest of the first chunk alone: right for a prefix, wrong for the whole upload.
        var error = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Uploads.CommitAsync(id, Digest.Compute(first), progress, CancellationToken.None));

        Assert.Equal(OciErrorCode.DigestInvalid, error.Code);
        Assert.Empty(_store.Files());
    }

    [Fact]
    public async Task CommitAsync_ProgressOfAnEarlierChunk_IsNotTrustedForTheWhole()
    {
        // The first chunk's progress carries a sha256 of that chunk only; it must not stand for the longer upload.
        var first = RandomNumberGenerator.GetBytes(100);
        var second = RandomNumberGenerator.GetBytes(100);
        var id = _store.Uploads.Start();
        var stale = await AppendAsync(id, 0, first);
        await AppendAsync(id, first.Length, second);

        var error = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Uploads.CommitAsync(id, Digest.Compute(first), stale, CancellationToken.None));

        Assert.Equal(OciErrorCode.DigestInvalid, error.Code);
        Assert.False(_store.Blobs.Exists(Digest.Compute(first)));
    }

    [Fact]
    public async Task CommitAsync_WithoutProgress_HashesTheData()
    {
        var content = RandomNumberGenerator.GetBytes(100);
        var digest = Digest.Compute(content);
        var id = _store.Uploads.Start();
        await AppendAsync(id, 0, content);

        await _store.Uploads.CommitAsync(id, digest, progress: null, CancellationToken.None);

        Assert.True(_store.Blobs.Exists(digest));
    }

    [Fact]
    public async Task CommitAsync_Sha512Digest_VerifiesWithSha512()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var digest = Digest.FromHash(Digest.Sha512, SHA512.HashData(content));
        var id = _store.Uploads.Start();
        var progress = await AppendAsync(id, 0, content);

        await _store.Uploads.CommitAsync(id, digest, progress, CancellationToken.None);

        Assert.True(_store.Blobs.Exists(digest));
        Assert.Equal(Path.Combine(_store.Layout.BlobsRoot, "sha512", digest.Hex[..2], digest.Hex), _store.Layout.Blob(digest));
        Assert.Equal(content, await File.ReadAllBytesAsync(_store.Layout.Blob(digest)));
    }

    [Fact]
    public async Task CommitAsync_WrongSha512Digest_ThrowsDigestInvalidAndLeavesNothing()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var wrong = Digest.FromHash(Digest.Sha512, SHA512.HashData([.. content, 0]));
        var id = _store.Uploads.Start();
        var progress = await AppendAsync(id, 0, content);

        var error = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Uploads.CommitAsync(id, wrong, progress, CancellationToken.None));

        Assert.Equal(OciErrorCode.DigestInvalid, error.Code);
        Assert.Empty(_store.Files());
    }

    [Fact]
    public async Task CommitAsync_EmptyUpload_CommitsTheEmptyBlob()
    {
        var digest = Digest.Compute([]);
        var id = _store.Uploads.Start();

        await _store.Uploads.CommitAsync(id, digest, progress: null, CancellationToken.None);

        Assert.True(_store.Blobs.Exists(digest));
        Assert.Empty(await File.ReadAllBytesAsync(_store.Layout.Blob(digest)));
    }

    [Fact]
    public async Task CommitAsync_BlobAlreadyStored_KeepsItAndRemovesTheUpload()
    {
        var content = RandomNumberGenerator.GetBytes(100);
        var digest = Digest.Compute(content);
        var firstId = _store.Uploads.Start();
        await _store.Uploads.CommitAsync(firstId, digest, await AppendAsync(firstId, 0, content), CancellationToken.None);
        var secondId = _store.Uploads.Start();

        await _store.Uploads.CommitAsync(secondId, digest, await AppendAsync(secondId, 0, content), CancellationToken.None);

        Assert.Equal(content, await File.ReadAllBytesAsync(_store.Layout.Blob(digest)));
        Assert.False(Directory.Exists(_store.Layout.Upload(secondId)));
        Assert.Single(_store.Files());
    }

    [Fact]
    public async Task CommitAsync_UnknownUpload_ThrowsBlobUploadUnknown()
    {
        var error = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Uploads.CommitAsync(Guid.NewGuid().ToString("N"), Digest.Compute([]), null, CancellationToken.None));

        Assert.Equal(OciErrorCode.BlobUploadUnknown, error.Code);
        Assert.False(_store.Blobs.Exists(Digest.Compute([])));
    }

    [Fact]
    public async Task CommitAsync_Twice_SecondThrowsBlobUploadUnknown()
    {
        var content = RandomNumberGenerator.GetBytes(10);
        var id = _store.Uploads.Start();
        var progress = await AppendAsync(id, 0, content);
        await _store.Uploads.CommitAsync(id, Digest.Compute(content), progress, CancellationToken.None);

        var error = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Uploads.CommitAsync(id, Digest.Compute(content), progress, CancellationToken.None));

        Assert.Equal(OciErrorCode.BlobUploadUnknown, error.Code);
        Assert.True(_store.Blobs.Exists(Digest.Compute(content)));
    }

    [Fact]
    public async Task Cancel_Twice_RemovesTheUploadAndDoesNotThrow()
    {
        var id = _store.Uploads.Start();
        await AppendAsync(id, 0, [1, 2, 3]);

        _store.Uploads.Cancel(id);
        _store.Uploads.Cancel(id);

        Assert.Null(_store.Uploads.LengthOrNull(id));
        Assert.Empty(_store.Files());
    }

    private Task<UploadProgress> AppendAsync(string id, long offset, byte[] chunk) =>
        _store.Uploads.AppendAsync(id, offset, new MemoryStream(chunk), chunk.Length, Digest.Sha256, discardOnFailure: false, CancellationToken.None);

    private Task<byte[]> ReadDataAsync(string id) => File.ReadAllBytesAsync(_store.Layout.UploadData(id));
}
