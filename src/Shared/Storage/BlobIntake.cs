using System.Buffers;
using System.Security.Cryptography;
using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>
/// One blob being taken into the store from a stream in one go (a cache fill from the upstream, a push in a single
/// request): written to a hidden temp file beside its final place (<see cref="AtomicFile"/>), hashed as it arrives
/// (<see cref="DigestingWriter"/>), verified against its digest and announced length, and only then committed by
/// rename (<see cref="BlobStore.Commit"/>). Any number of readers may follow the file while it grows, receiving bytes
/// as they arrive; a bad or short body leaves no file behind, and every reader fails with
/// <see cref="BlobIntakeFailedException"/>, so none ends a response with a short body.
/// </summary>
/// <remarks>
/// Uploads in several requests (chunked, or POST then PATCH) do not use this: their bytes must survive between
/// requests, which may land on other instances, so they keep their upload's data file (<see cref="UploadStore"/>).
/// </remarks>
public sealed class BlobIntake
{
    private const int BufferSize = 128 * 1024;

    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly BlobStore _blobs;
    private readonly string _tempPath;
    private readonly string _finalPath;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written;
    private bool _committed;
    private Exception? _failure;

    internal BlobIntake(BlobStore blobs, Digest digest, long? length, string origin, string finalPath)
    {
        _blobs = blobs;
        Digest = digest;
        Length = length;
        Origin = origin;
        _finalPath = finalPath;
        _tempPath = AtomicFile.TempPathFor(finalPath);
        // Created at once (empty), so a reader that joins before the first byte can open it.
        new FileStream(_tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete).Dispose();
    }

    public Digest Digest { get; }

    /// <summary>The length the sender announced, when it announced one; the body must have exactly this many bytes.</summary>
    public long? Length { get; }

    /// <summary>Who sends the blob, as messages name it ("the upstream").</summary>
    public string Origin { get; }

    /// <summary>Completes, never faults, once the blob is committed or the intake has failed.</summary>
    public Task Completion => _completion.Task;

    public bool Succeeded => _committed;

    /// <summary>Why the intake failed, once it has.</summary>
    public Exception? Failure => _failure;


    /// <summary>
    /// Copies <paramref name="body"/> into the temp file, verifies it and commits it. Call once. Whatever happens, the
    /// intake is finished when this returns: committed, or failed with its temp file deleted. Does not dispose <paramref name="body"/>.
    /// </summary>
    /// <param name="idleTimeout">
    /// Fails the intake when the body sends nothing for this long (see <see cref="DigestingWriter"/>). With one, each
    /// read reaches the file, and its readers, as it arrives; without, the file grows a whole buffer (128 KiB) at a
    /// time, fewer writes for a body nobody is expected to follow (an upload).
    /// </param>
    /// <param name="committed">
    /// Runs after the rename and before readers receive the last byte: what must hold once a client has the whole
    /// blob (a link, the store's accounting). Its exception fails the intake.
    /// </param>
    /// <exception cref="RegistryException">SIZE_INVALID (not the announced length), DIGEST_INVALID (other content).</exception>
    public async Task<BlobInfo> TakeInAsync(Stream body, TimeSpan? idleTimeout, Action<BlobInfo>? committed, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(body, idleTimeout, cancellationToken);
            _blobs.Commit(_tempPath, Digest);
            var blob = new BlobInfo(Digest, _finalPath, _written);
            committed?.Invoke(blob);
            Finish(committed: true, null);
            return blob;
        }
        catch (Exception e)
        {
            // Finished whatever happens to the temp file: an intake that never finishes would hold its digest forever.
            Finish(committed: false, e);
            AtomicFile.TryDelete(_tempPath);
            throw;
        }
    }

    /// <summary>Copies the blob, or <paramref name="count"/> bytes of it from <paramref name="offset"/>, to <paramref name="destination"/> as it arrives.</summary>
    /// <exception cref="BlobIntakeFailedException">The intake failed; what was already sent is not the blob.</exception>
    public async Task CopyToAsync(Stream destination, long offset, long? count, CancellationToken cancellationToken)
    {
        await using var file = await OpenForReadingAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var position = file.Position = offset;
            var end = count is { } n ? offset + n : long.MaxValue;
            while (true)
            {
                long available;
                bool committed;
                Exception? failure;
                Task progress;
                lock (_lock)
                {
                    (available, committed, failure, progress) = (_written, _committed, _failure, _progress.Task);
                }

                if (failure is not null)
                {
                    throw new BlobIntakeFailedException(Digest, Origin, failure);
                }

                // The last byte is held back until the content is verified: a client that has every byte of a
                // Content-Length response would take it as complete even if the connection is then aborted.
                var sendable = Math.Min(end, committed || Length is null ? available : Math.Min(available, Length.Value - 1));
                if (position < sendable)
                {
                    var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferSize, sendable - position)), cancellationToken);
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    position += read;
                    continue;
                }

                if (position == end || (committed && position == available))
                {
                    return;
                }

                await progress.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task WriteAsync(Stream body, TimeSpan? idleTimeout, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(Digest.HashAlgorithm);
        await using var file = new FileStream(_tempPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);
        var written = await DigestingWriter.CopyAsync(body, file, hash, idleTimeout, Advance, cancellationToken);
        if (Length is { } expected && expected != written)
        {
            throw new RegistryException(OciErrorCode.SizeInvalid, $"{Origin} sent {written} of the {expected} bytes of {Digest}");
        }

        var actual = Digest.FromHash(Digest.Algorithm, hash.GetHashAndReset());
        if (actual != Digest)
        {
            throw new RegistryException(
                OciErrorCode.DigestInvalid,
                $"{Origin} sent content ({written} bytes) with digest {actual} for {Digest}",
                new Dictionary<string, string> { ["expected"] = Digest.ToString(), ["actual"] = actual.ToString() });
        }

        file.Flush(flushToDisk: true);
    }

    private async Task<FileStream> OpenForReadingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return OpenShared(_tempPath);
        }
        catch (FileNotFoundException e)
        {
            // Renamed into place (or discarded) between joining the intake and opening it: the outcome decides.
            await Completion.WaitAsync(cancellationToken);
            return _committed ? OpenShared(_finalPath) : throw new BlobIntakeFailedException(Digest, Origin, _failure ?? e);
        }
    }

    private static FileStream OpenShared(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);

    private void Advance(int written) => Signal(() => _written += written);

    private void Finish(bool committed, Exception? failure)
    {
        Signal(() => (_committed, _failure) = (committed, failure));
        _completion.TrySetResult();
    }

    private void Signal(Action change)
    {
        TaskCompletionSource woken;
        lock (_lock)
        {
            change();
            woken = _progress;
            _progress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        woken.TrySetResult();
    }
}
