using System.IO.Pipelines;
using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

/// <summary>
/// Two requests on one upload at once: the second waits, then is refused, so bytes never interleave under one
/// digest. A lock that lingers a moment after its request is waited for, not refused.
/// </summary>
public sealed class UploadConcurrencyTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task AppendAsync_WhileAnotherAppendWrites_IsRefusedAndLeavesItsBytesAlone()
    {
        var id = _store.Uploads.Start();
        var slow = new Pipe();
        // The upload is opened, and locked, before AppendAsync first awaits: the first writer holds it from here on.
        var first = _store.Uploads.AppendAsync(id, 0, slow.Reader.AsStream(), null, Digest.Sha256, discardOnFailure: false, CancellationToken.None);
        await slow.Writer.WriteAsync(new byte[] { 1, 2, 3 });

        var second = Assert.ThrowsAsync<RegistryException>(() =>
            _store.Uploads.AppendAsync(id, 0, new MemoryStream([9, 9, 9]), null, Digest.Sha256, discardOnFailure: false, CancellationToken.None));
        var commit = Assert.ThrowsAsync<RegistryException>(() =>
            _store.Uploads.CommitAsync(id, Digest.Compute([1, 2, 3]), null, CancellationToken.None));
        var refusals = await Task.WhenAll(second, commit);
        await slow.Writer.CompleteAsync();
        var progress = await first;

        Assert.All(refusals, refusal => Assert.Equal(OciErrorCode.BlobUploadInvalid, refusal.Code));
        Assert.Equal(3, progress.Length);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(_store.Layout.UploadData(id)));
    }

    [Fact]
    public async Task AppendAsync_WaitingWhileTheCommitPublishesTheUpload_IsUnknownAndLeavesTheBlobAlone()
    {
        var id = _store.Uploads.Start();
        await _store.Uploads.AppendAsync(id, 0, new MemoryStream([1, 2, 3]), null, Digest.Sha256, discardOnFailure: false, CancellationToken.None);
        var digest = Digest.Compute([1, 2, 3]);
        // Stands in for a commit holding the lock: the late chunk opens the upload, then waits for the lock.
        var committing = new FileStream(_store.Layout.UploadData(id), FileMode.Open, FileAccess.ReadWrite);
        Assert.True(FileLock.TryLockExclusive(committing.SafeFileHandle));
        var lateChunk = _store.Uploads.AppendAsync(id, 3, new MemoryStream([6, 6, 6]), null, Digest.Sha256, discardOnFailure: false, CancellationToken.None);
        _store.Blobs.Commit(_store.Layout.UploadData(id), digest);
        _store.Uploads.Cancel(id);
        await committing.DisposeAsync();

        var refusal = await Assert.ThrowsAsync<RegistryException>(() => lateChunk);

        Assert.Equal(OciErrorCode.BlobUploadUnknown, refusal.Code);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(_store.Layout.Blob(digest)));
    }

    [Fact]
    public async Task AppendAsync_WhileALockLingersAMoment_WaitsForItAndAppends()
    {
        var id = _store.Uploads.Start();
        // A handle that holds the lock a moment longer, as a child process started meanwhile would.
        var lingering = new FileStream(_store.Layout.UploadData(id), FileMode.Open, FileAccess.ReadWrite);
        Assert.True(FileLock.TryLockExclusive(lingering.SafeFileHandle));

        var append = _store.Uploads.AppendAsync(id, 0, new MemoryStream([1, 2, 3]), null, Digest.Sha256, discardOnFailure: false, CancellationToken.None);
        await Task.Delay(100);
        var waited = !append.IsCompleted;
        await lingering.DisposeAsync();
        var progress = await append;

        Assert.True(waited, "the append waits while the lock is held");
        Assert.Equal(3, progress.Length);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(_store.Layout.UploadData(id)));
    }
}
