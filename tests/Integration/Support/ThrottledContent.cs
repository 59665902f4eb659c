using System.Net;
using System.Net.Http.Headers;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// A request body that sends its first <c>burst</c> bytes at once, reports that, then trickles the rest in small
/// pieces with a pause between them: a test can act (kill the server) while the request is certainly mid-body.
/// Cancelling the request's token stops the trickle.
/// </summary>
public sealed class ThrottledContent : HttpContent
{
    private readonly byte[] _content;
    private readonly int _burst;
    private readonly int _pieceSize;
    private readonly TimeSpan _pause;
    private readonly bool _declareLength;
    private readonly TaskCompletionSource _burstSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sent;

    /// <param name="declareLength">Send Content-Length (a monolithic push, a manifest); otherwise the body is chunked (a streamed PATCH).</param>
    public ThrottledContent(byte[] content, int burst, int pieceSize, TimeSpan pause, bool declareLength)
    {
        _content = content;
        _burst = Math.Min(burst, content.Length);
        _pieceSize = pieceSize;
        _pause = pause;
        _declareLength = declareLength;
        Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
    }

    /// <summary>Completes once the burst has been written and flushed to the connection.</summary>
    public Task BurstSent => _burstSent.Task;

    /// <summary>How many bytes have been handed to the connection so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(stream, 0, _burst, cancellationToken);
            _burstSent.TrySetResult();
            for (var offset = _burst; offset < _content.Length; offset += _pieceSize)
            {
                await Task.Delay(_pause, cancellationToken);
                await WriteAsync(stream, offset, Math.Min(_pieceSize, _content.Length - offset), cancellationToken);
            }
        }
        catch (Exception e)
        {
            _burstSent.TrySetException(e);
            throw;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _content.Length;
        return _declareLength;
    }

    private async Task WriteAsync(Stream stream, int offset, int count, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_content.AsMemory(offset, count), cancellationToken);
        await stream.FlushAsync(cancellationToken);
        Interlocked.Add(ref _sent, count);
    }
}
