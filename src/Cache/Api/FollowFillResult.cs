using NeonRegistry.Proxy;

namespace NeonRegistry.Api;

/// <summary>
/// Streams a blob that is still being fetched. Ranges are not offered on a growing file (a full 200 is always a
/// valid answer to a range request); the next request finds the committed file and gets ranges. When the fetch
/// fails after bytes went out, the connection is aborted: the client must never take a short body for the blob.
/// </summary>
internal sealed class FollowFillResult(BlobFill fill) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/octet-stream";
        response.ContentLength = fill.Length;
        if (HttpMethods.IsHead(httpContext.Request.Method))
        {
            return;
        }

        try
        {
            await fill.CopyToAsync(response.Body, httpContext.RequestAborted);
        }
        catch (BlobFillFailedException)
        {
            httpContext.Abort();
        }
    }
}
