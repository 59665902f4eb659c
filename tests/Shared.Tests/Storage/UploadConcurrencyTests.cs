using System.IO.Pipelines;
using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

/// <summary>Two requests on one upload at once: the second is refused, so bytes never interleave under one digest.</summary>
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

        var second = await Assert.ThrowsAsync<RegistryException>(() =>
            _store.Uploads.AppendAsync(id, 0, new MemoryStream([9, 9, 9]), null, CancellationToken.None));
        var commit = await Assert.ThrowsAsync<RegistryException>(() =>
            _store.Uploads.CommitAsync(id, Digest.Compute([1, 2, 3]), null, CancellationToken.None));
        await slow.Writer.CompleteAsync();
        var progress = await first;

        Assert.Equal(OciErrorCode.BlobUploadInvalid, second.Code);
        Assert.Equal(OciErrorCode.BlobUploadInvalid, commit.Code);
        Assert.Equal(3, progress.Length);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(_store.Layout.UploadData(id)));
    }
}
