using System.Diagnostics;
using System.IO.Pipelines;
using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

/// <summary>
/// Two requests on one upload at once: the second is refused, so bytes never interleave under one digest. Requests
/// that follow one another are never refused, even while the process forks children that inherit the lock.
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
        var first = _store.Uploads.AppendAsync(id, 0, slow.Reader.AsStream(), null, CancellationToken.None);
        await slow.Writer.WriteAsync(new byte[] { 1, 2, 3 });

        var second = Assert.ThrowsAsync<RegistryException>(() =>
            _store.Uploads.AppendAsync(id, 0, new MemoryStream([9, 9, 9]), null, CancellationToken.None));
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
        await _store.Uploads.AppendAsync(id, 0, new MemoryStream([1, 2, 3]), null, CancellationToken.None);
        var digest = Digest.Compute([1, 2, 3]);
        // Stands in for a commit holding the lock: the late chunk opens the upload, then waits for the lock.
        var committing = new FileStream(_store.Layout.UploadData(id), FileMode.Open, FileAccess.ReadWrite);
        Assert.True(await FileLock.TryLockExclusiveAsync(committing.SafeFileHandle, TimeSpan.Zero, CancellationToken.None));
        var lateChunk = _store.Uploads.AppendAsync(id, 3, new MemoryStream([6, 6, 6]), null, CancellationToken.None);
        _store.Blobs.Commit(_store.Layout.UploadData(id), digest);
        _store.Uploads.Cancel(id);
        await committing.DisposeAsync();

        var refusal = await Assert.ThrowsAsync<RegistryException>(() => lateChunk);

        Assert.Equal(OciErrorCode.BlobUploadUnknown, refusal.Code);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(_store.Layout.Blob(digest)));
    }

    [Fact]
    public async Task AppendThenCommit_WhileTheProcessStartsChildren_AreNeverRefused()
    {
        // Between fork and exec a child holds a copy of every open handle, and with it the upload's lock, after
        // the request that took the lock has closed its handle.
        using var stop = new CancellationTokenSource();
        var children = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var child = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
                child.WaitForExit();
            }
        });

        var refused = 0;
        for (var i = 0; i < 300; i++)
        {
            var content = new byte[] { (byte)i, (byte)(i >> 8) };
            var id = _store.Uploads.Start();
            try
            {
                var progress = await _store.Uploads.AppendAsync(id, 0, new MemoryStream(content), null, CancellationToken.None);
                await _store.Uploads.CommitAsync(id, Digest.Compute(content), progress, CancellationToken.None);
            }
            catch (RegistryException e) when (e.Code == OciErrorCode.BlobUploadInvalid)
            {
                refused++;
            }
        }

        await stop.CancelAsync();
        await children;
        Assert.Equal(0, refused);
    }
}
