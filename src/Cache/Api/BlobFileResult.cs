using Microsoft.Net.Http.Headers;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Api;

/// <summary>
/// A committed blob. A plain GET or HEAD (no <c>Range</c>, no precondition: what pulls send) is answered here
/// from what the store's stat already gave, and the body sent with one open, reads and a close: on CephFS every
/// further stat, <c>lstat</c> or <c>readlink</c> is a round trip to the file system's client. Ranges and
/// conditional requests go to the framework's file result (206/416, If-Range, If-None-Match...), whose one
/// refusal, 416 for a <c>Range</c> outside the blob, gets the OCI error envelope like every other error; its
/// <c>Content-Range</c> (<c>bytes */size</c>) stays.
/// </summary>
internal sealed class BlobFileResult(BlobInfo blob, string contentType, EntityTagHeaderValue entityTag) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        if (IsPlain(httpContext.Request.Headers))
        {
            await SendWholeAsync(httpContext);
            return;
        }

        BlobFileSender.UseFor(httpContext);
        await TypedResults.PhysicalFile(blob.Path, contentType, entityTag: entityTag, enableRangeProcessing: true).ExecuteAsync(httpContext);
        var response = httpContext.Response;
        if (response.StatusCode == StatusCodes.Status416RangeNotSatisfiable && !response.HasStarted)
        {
            var range = httpContext.Request.Headers.Range.ToString();
            await OciResults.Error(
                OciErrorCode.RangeNotSatisfiable,
                $"the range '{range}' lies outside blob {blob.Digest}; its size is in Content-Range").ExecuteAsync(httpContext);
        }
    }

    private static bool IsPlain(IHeaderDictionary headers) =>
        headers.Range.Count == 0 && headers.IfRange.Count == 0 && headers.IfMatch.Count == 0 && headers.IfNoneMatch.Count == 0
        && headers.IfModifiedSince.Count == 0 && headers.IfUnmodifiedSince.Count == 0;

    private Task SendWholeAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = blob.Size;
        response.Headers.AcceptRanges = "bytes";
        response.GetTypedHeaders().ETag = entityTag;
        return HttpMethods.IsHead(httpContext.Request.Method)
            ? Task.CompletedTask
            : BlobFileSender.SendAsync(httpContext, blob.Path, 0, blob.Size, httpContext.RequestAborted);
    }
}
