using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace NeonRegistry.Api;

/// <summary>
/// Copies a committed blob's bytes to the server's response pipe: the file opened once, read in 1 MiB pieces
/// straight into the pipe's memory, each piece counted once the server took it (<see cref="BodyBytes"/>). The
/// framework's fallback copies through a 16 KiB buffer with a thread-pool hop per read, which cost several
/// times the CPU per GiB (Kestrel has no sendfile). As a response-body feature it also takes the copies
/// <c>PhysicalFile</c> hands over for ranges and conditional requests.
/// </summary>
internal sealed class BlobFileSender(IHttpResponseBodyFeature inner, BodyBytes bytes) : IHttpResponseBodyFeature
{
    private const int ChunkSize = 1024 * 1024;

    public Stream Stream => inner.Stream;

    public PipeWriter Writer => inner.Writer;

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task CompleteAsync() => inner.CompleteAsync();

    public static void UseFor(HttpContext http) =>
        http.Features.Set<IHttpResponseBodyFeature>(new BlobFileSender(http.Features.GetRequiredFeature<IHttpResponseBodyFeature>(), BodyBytes.Of(http)));

    /// <summary>Sends <paramref name="count"/> bytes of the file from <paramref name="offset"/> on.</summary>
    public static Task SendAsync(HttpContext http, string path, long offset, long count, CancellationToken cancellationToken) =>
        new BlobFileSender(http.Features.GetRequiredFeature<IHttpResponseBodyFeature>(), BodyBytes.Of(http)).SendFileAsync(path, offset, count, cancellationToken);

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        // One open (and the fstat .NET makes to refuse a directory); the length comes from the caller, who
        // already knows it, since on a shared file system every further stat is a round trip to the client.
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var remaining = count ?? RandomAccess.GetLength(file) - offset;
        await inner.StartAsync(cancellationToken);
        var writer = inner.Writer;
        while (remaining > 0)
        {
            var size = (int)Math.Min(ChunkSize, remaining);
            var read = await RandomAccess.ReadAsync(file, writer.GetMemory(size)[..size], offset, cancellationToken);
            if (read == 0)
            {
                throw new IOException($"{path} ended {remaining} bytes early");
            }

            writer.Advance(read);
            offset += read;
            remaining -= read;
            var flushed = await writer.FlushAsync(cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                return;
            }

            bytes.AddSent(read);
        }
    }
}
