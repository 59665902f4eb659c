using System.Buffers;
using System.Security.Cryptography;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Proxy;

/// <summary>
/// One download of a blob from the upstream into a hidden temp file beside its final place, which any number of
/// readers follow while it grows: they receive bytes as they arrive, never waiting for the end and never causing
/// a second upstream request. The file is verified against its digest (and the announced length) and only then
/// committed by rename; a bad or short download is discarded and every reader is failed, so its client's
/// connection is aborted rather than ended with a short body.
/// </summary>
internal sealed class BlobFill
{
    private const int BufferSize = 128 * 1024;

    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written;
    private bool _committed;
    private Exception? _failure;
    private readonly string _tempPath;
    private readonly string _finalPath;

    /// <summary>Creates the (empty) temp file at once, so a reader that joins before the first byte can open it.</summary>
    public BlobFill(Digest digest, long? length, string tempPath, string finalPath)
    {
        Digest = digest;
        Length = length;
        _tempPath = tempPath;
        _finalPath = finalPath;
        new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete).Dispose();
    }

    public Digest Digest { get; }

    /// <summary>The length the upstream announced, when it announced one.</summary>
    public long? Length { get; }

    /// <summary>Completes, never faults, once the fill is committed or has failed.</summary>
    public Task Completion => _completion.Task;

    public bool Succeeded => _committed;

    /// <summary>Why the fill failed, once it has.</summary>
    public Exception? Failure => _failure;

    /// <summary>Downloads, verifies and commits. Owns <paramref name="body"/>; runs on no client's cancellation token.</summary>
    /// <param name="commit">Publishes the verified file at the final path (a rename) and links it where it was asked for.</param>
    public async Task RunAsync(Stream body, Action<string> commit, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        try
        {
            await using (body)
            {
                await DownloadAsync(body, idleTimeout, cancellationToken);
            }

            commit(_tempPath);
            Finish(committed: true, null);
        }
        catch (Exception e)
        {
            // Finished whatever happens to the temp file: a fill that never finishes would hold its digest forever.
            Finish(committed: false, e);
            AtomicFile.TryDelete(_tempPath);
        }
    }

    /// <summary>Copies the blob, or <paramref name="count"/> bytes of it from <paramref name="offset"/>, to <paramref name="destination"/> as it arrives.</summary>
    /// <exception cref="BlobFillFailedException">The download failed; what was already sent is not the blob.</exception>
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
                    throw new BlobFillFailedException(Digest, failure);
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

    private async Task DownloadAsync(Stream body, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(Digest.HashAlgorithm);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var file = new FileStream(_tempPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            int read;
            do
            {
                // An inactivity timeout, not a total one: a slow but moving download of a huge layer still completes.
                idle.CancelAfter(idleTimeout);
                read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), idle.Token);
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                Advance(read);
            }
            while (read > 0);

            Verify(Digest.FromHash(Digest.Algorithm, hash.GetHashAndReset()));
            file.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Verify(Digest actual)
    {
        if (Length is { } expected && expected != _written)
        {
            throw new InvalidDataException($"the upstream sent {_written} of the {expected} bytes of {Digest}");
        }

        if (actual != Digest)
        {
            throw new InvalidDataException($"the upstream sent content with digest {actual} for {Digest}");
        }
    }

    private async Task<FileStream> OpenForReadingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return OpenShared(_tempPath);
        }
        catch (FileNotFoundException e)
        {
            // Renamed into place (or discarded) between joining the fill and opening it: the outcome decides.
            await Completion.WaitAsync(cancellationToken);
            return _committed ? OpenShared(_finalPath) : throw new BlobFillFailedException(Digest, _failure ?? e);
        }
    }

    private static FileStream OpenShared(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);

    private void Advance(int read)
    {
        if (read > 0)
        {
            Signal(() => _written += read);
        }
    }

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
