using System.Buffers;
using System.Security.Cryptography;

namespace NeonRegistry.Storage;

/// <summary>Copies a stream to a file while hashing it, so content is digested as it arrives, never buffered whole.</summary>
public static class DigestingWriter
{
    // Large enough that a fast client is not throttled by syscalls, small enough to rent per request.
    private const int BufferSize = 128 * 1024;

    /// <returns>The number of bytes copied.</returns>
    public static Task<long> CopyAsync(Stream source, Stream destination, IncrementalHash? hash, CancellationToken cancellationToken) =>
        CopyAsync(source, destination, hash, idleTimeout: null, written: null, cancellationToken);

    /// <param name="idleTimeout">
    /// Fails the copy with <see cref="OperationCanceledException"/> when the source sends nothing for this long: an
    /// inactivity timeout, not a total one, so a slow but moving source completes. Each read then takes what has
    /// arrived, since a read that waits to fill the buffer would count a trickle as idle.
    /// </param>
    /// <param name="written">Called after each write with the bytes written, for readers that follow the destination as it grows.</param>
    /// <returns>The number of bytes copied.</returns>
    public static async Task<long> CopyAsync(
        Stream source, Stream destination, IncrementalHash? hash, TimeSpan? idleTimeout, Action<int>? written, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        using var idle = idleTimeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            long total = 0;
            while (true)
            {
                int read;
                if (idle is not null)
                {
                    idle.CancelAfter(idleTimeout!.Value);
                    read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), idle.Token);
                }
                else
                {
                    // Filled before each write: a network stream hands over a few KiB per read, and a write per read costs syscalls.
                    read = await source.ReadAtLeastAsync(buffer.AsMemory(0, BufferSize), BufferSize, throwOnEndOfStream: false, cancellationToken);
                }

                if (read == 0)
                {
                    return total;
                }

                hash?.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                total += read;
                written?.Invoke(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Re-reads a file from disk to digest it, for uploads whose chunks arrived in several requests.</summary>
    public static async Task<byte[]> HashFileAsync(string path, HashAlgorithmName algorithm, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await HashStreamAsync(file, algorithm, cancellationToken);
    }

    /// <summary>Digests a whole stream from its start.</summary>
    public static async Task<byte[]> HashStreamAsync(Stream stream, HashAlgorithmName algorithm, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(algorithm);
        stream.Seek(0, SeekOrigin.Begin);
        await CopyAsync(stream, Stream.Null, hash, cancellationToken);
        return hash.GetHashAndReset();
    }
}
