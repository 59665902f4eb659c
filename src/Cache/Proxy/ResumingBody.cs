using System.Buffers;

namespace NeonRegistry.Proxy;

/// <summary>
/// A peer's blob body that, when it breaks off or stalls (sends nothing for the peer's timeout while the connection
/// stays open), goes on with the same blob from the upstream: the upstream's body is read past what the peer sent,
/// and the rest follows. Once only; a second break fails the read.
/// </summary>
/// <param name="stallTimeout">How long one read of the peer's body may wait for a byte (PEER_TIMEOUT).</param>
/// <param name="stopping">Bounds the continuation: its GET and the reads that skip what the peer had sent.</param>
internal sealed class ResumingBody(Stream peerBody, Func<CancellationToken, Task<UpstreamBlob?>> resume, Action<Exception> resumed, TimeSpan stallTimeout, CancellationToken stopping) : Stream
{
    private Stream _current = peerBody;
    private UpstreamBlob? _upstream;
    private long _position;

    public bool Resumed => _upstream is not null;

    /// <summary>Bytes the peer sent before any break.</summary>
    public long PeerBytes { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Resumed)
        {
            var read = await _current.ReadAsync(buffer, cancellationToken);
            _position += read;
            return read;
        }

        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        stall.CancelAfter(stallTimeout);
        try
        {
            var read = await _current.ReadAsync(buffer, stall.Token);
            _position += read;
            PeerBytes += read;
            return read;
        }
        catch (Exception e) when (e is IOException or HttpRequestException || IsStall(e, stall.Token, cancellationToken))
        {
            resumed(e is OperationCanceledException ? new TimeoutException($"the peer sent nothing for {stallTimeout.TotalSeconds} s") : e);
            await ContinueFromUpstreamAsync();
            var read = await _current.ReadAsync(buffer, cancellationToken);
            _position += read;
            return read;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current.Dispose();
            _upstream?.Dispose();
        }

        base.Dispose(disposing);
    }

    // Our own timeout fired: neither the caller's token (its idle timeout) nor shutdown.
    private bool IsStall(Exception e, CancellationToken stall, CancellationToken caller) =>
        e is OperationCanceledException && stall.IsCancellationRequested && !caller.IsCancellationRequested && !stopping.IsCancellationRequested;

    private async Task ContinueFromUpstreamAsync()
    {
        _upstream = await resume(stopping) ?? throw new IOException("the peer broke off and the upstream no longer has the blob");
        await _current.DisposeAsync();
        _current = await _upstream.OpenBodyAsync(stopping);
        var skip = ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            for (var left = _position; left > 0;)
            {
                var read = await _current.ReadAsync(skip.AsMemory(0, (int)Math.Min(skip.Length, left)), stopping);
                left -= read > 0 ? read : throw new IOException($"the upstream sent fewer bytes than the peer had ({_position})");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(skip);
        }
    }
}
