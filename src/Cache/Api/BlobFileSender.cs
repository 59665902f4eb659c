using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace NeonRegistry.Api;

/// <summary>
/// The response-body feature for blob downloads: <c>PhysicalFile</c> keeps doing ranges, ETag and HEAD, and hands
/// the byte copy to <see cref="SendFileAsync"/>, which reads the file in 1 MiB pieces straight into the server's
/// response pipe and counts each piece the server took (<see cref="BodyBytes"/>). The framework's fallback copies
/// through a 16 KiB buffer with a thread-pool hop per read, which cost several times the CPU per GiB (Kestrel has
/// no sendfile).
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

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
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
