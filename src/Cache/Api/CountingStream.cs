namespace NeonRegistry.Api;

/// <summary>
/// Adds what passes through a body stream to the request's <see cref="BodyBytes"/>, for the copy loops this host
/// does not own (the store reading an upload or a manifest, a cache fill writing to a follower); the host's own
/// copies count in their loops. The inner stream belongs to the server, so disposing this one leaves it open.
/// </summary>
internal sealed class CountingStream(Stream inner, BodyBytes bytes) : Stream
{
    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>The request body of <paramref name="http"/>, counted as it is read.</summary>
    public static Stream RequestBody(HttpContext http) => new CountingStream(http.Request.Body, BodyBytes.Of(http));

    /// <summary>The response body of <paramref name="http"/>, counted as it is written.</summary>
    public static Stream ResponseBody(HttpContext http) => new CountingStream(http.Response.Body, BodyBytes.Of(http));

    public override int Read(byte[] buffer, int offset, int count) => Received(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Received(inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Received(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Received(await inner.ReadAsync(buffer, cancellationToken));

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        bytes.AddSent(count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        bytes.AddSent(buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        bytes.AddSent(buffer.Length);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private int Received(int read)
    {
        bytes.AddReceived(read);
        return read;
    }
}
