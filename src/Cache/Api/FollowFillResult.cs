using Microsoft.Net.Http.Headers;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Api;

/// <summary>
/// Streams a blob that is still being fetched, or the one range of it a request asks for (see <see cref="FillRange"/>),
/// as the bytes arrive. A range is served from this same download rather than forwarded to the upstream: the blob
/// is fetched once whatever clients ask, it is cached either way, and a client resuming a broken download
/// (<c>Range: bytes=N-</c>, as containerd and Docker do) continues from the download already running; the cost is
/// that a range far into the blob waits until the download reaches it. When the fetch fails before any byte went
/// out, the client gets 503; after that the connection is aborted: the client must never take a short body for
/// the blob.
/// </summary>
internal sealed class FollowFillResult(BlobIntake fill, EntityTagHeaderValue entityTag) : IResult
{
    private const string OctetStream = "application/octet-stream";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var range = FillRange.FromRequest(httpContext.Request.GetTypedHeaders(), entityTag, fill.Length);
        response.ContentType = OctetStream;
        if (fill.Length is { } total)
        {
            response.Headers.AcceptRanges = "bytes";
            response.GetTypedHeaders().ETag = entityTag;
            if (range is { } asked)
            {
                response.Headers.ContentRange = asked.ContentRange(total);
            }
        }

        if (range is { Satisfiable: false })
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            return;
        }

        response.StatusCode = range is null ? StatusCodes.Status200OK : StatusCodes.Status206PartialContent;
        response.ContentLength = range?.Length ?? fill.Length;
        if (HttpMethods.IsHead(httpContext.Request.Method))
        {
            return;
        }

        try
        {
            await fill.CopyToAsync(CountingStream.ResponseBody(httpContext), range?.Offset ?? 0, range?.Length, httpContext.RequestAborted);
        }
        catch (BlobIntakeFailedException e) when (!response.HasStarted)
        {
            response.Clear();
            await OciResults.Error(OciErrorCode.Unavailable, $"{e.Message}; try again").ExecuteAsync(httpContext);
        }
        catch (BlobIntakeFailedException)
        {
            httpContext.Abort();
        }
    }
}
