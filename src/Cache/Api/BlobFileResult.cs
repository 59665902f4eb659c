using NeonRegistry.Oci;

namespace NeonRegistry.Api;

/// <summary>
/// A committed blob served by the framework's file result (ranges, ETag, HEAD), whose one refusal, 416 for a
/// <c>Range</c> outside the blob, gets the OCI error envelope like every other error; its <c>Content-Range</c>
/// (<c>bytes */size</c>) stays.
/// </summary>
internal sealed class BlobFileResult(IResult file, Digest digest) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await file.ExecuteAsync(httpContext);
        var response = httpContext.Response;
        if (response.StatusCode == StatusCodes.Status416RangeNotSatisfiable && !response.HasStarted)
        {
            var range = httpContext.Request.Headers.Range.ToString();
            await OciResults.Error(
                OciErrorCode.RangeNotSatisfiable,
                $"the range '{range}' lies outside blob {digest}; its size is in Content-Range").ExecuteAsync(httpContext);
        }
    }
}
