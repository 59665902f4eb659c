namespace NeonRegistry.Api;

/// <summary>
/// The body bytes one request moved, added to by the code that copies them, as YARP's copier counts in its own
/// loop, rather than by wrapping the server's streams: request body bytes read, and response body bytes handed to
/// the server (0 for a HEAD, what went out before the break for an aborted download; never the Content-Length,
/// which only says what was promised). A request feature, read by the metrics and the request log.
/// </summary>
internal sealed class BodyBytes
{
    public long Received { get; private set; }

    public long Sent { get; private set; }

    /// <summary>The request's counter, added on first use.</summary>
    public static BodyBytes Of(HttpContext http)
    {
        if (http.Features.Get<BodyBytes>() is { } counted)
        {
            return counted;
        }

        var bytes = new BodyBytes();
        http.Features.Set(bytes);
        return bytes;
    }

    public void AddReceived(long count) => Received += count;

    public void AddSent(long count) => Sent += count;
}
