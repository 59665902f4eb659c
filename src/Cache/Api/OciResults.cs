using System.Text.Encodings.Web;
using System.Text.Json;
using NeonRegistry.Oci;

namespace NeonRegistry.Api;

/// <summary>
/// The error envelope of the distribution-spec ("Error Codes") and the one table that pairs each code with its
/// HTTP status.
/// </summary>
internal static class OciResults
{
    // Messages are read by people in terminals; the envelope is never embedded in HTML.
    private static readonly RegistryJsonContext Json = new(new JsonSerializerOptions(RegistryJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static readonly Dictionary<OciErrorCode, (string Code, int Status)> Table = new()
    {
        [OciErrorCode.BlobUnknown] = ("BLOB_UNKNOWN", StatusCodes.Status404NotFound),
        [OciErrorCode.BlobUploadInvalid] = ("BLOB_UPLOAD_INVALID", StatusCodes.Status400BadRequest),
        [OciErrorCode.BlobUploadUnknown] = ("BLOB_UPLOAD_UNKNOWN", StatusCodes.Status404NotFound),
        [OciErrorCode.DigestInvalid] = ("DIGEST_INVALID", StatusCodes.Status400BadRequest),
        [OciErrorCode.ManifestBlobUnknown] = ("MANIFEST_BLOB_UNKNOWN", StatusCodes.Status400BadRequest),
        [OciErrorCode.ManifestInvalid] = ("MANIFEST_INVALID", StatusCodes.Status400BadRequest),
        [OciErrorCode.ManifestUnknown] = ("MANIFEST_UNKNOWN", StatusCodes.Status404NotFound),
        [OciErrorCode.ManifestTooLarge] = ("MANIFEST_INVALID", StatusCodes.Status413PayloadTooLarge),
        [OciErrorCode.NameInvalid] = ("NAME_INVALID", StatusCodes.Status400BadRequest),
        [OciErrorCode.NameUnknown] = ("NAME_UNKNOWN", StatusCodes.Status404NotFound),
        [OciErrorCode.SizeInvalid] = ("SIZE_INVALID", StatusCodes.Status400BadRequest),
        [OciErrorCode.TagInvalid] = ("TAG_INVALID", StatusCodes.Status400BadRequest),
        [OciErrorCode.RangeInvalid] = ("BLOB_UPLOAD_INVALID", StatusCodes.Status416RangeNotSatisfiable),
        [OciErrorCode.RangeNotSatisfiable] = ("RANGE_INVALID", StatusCodes.Status416RangeNotSatisfiable),
        [OciErrorCode.PaginationNumberInvalid] = ("PAGINATION_NUMBER_INVALID", StatusCodes.Status400BadRequest),
        [OciErrorCode.Unauthorized] = ("UNAUTHORIZED", StatusCodes.Status401Unauthorized),
        [OciErrorCode.Denied] = ("DENIED", StatusCodes.Status403Forbidden),
        [OciErrorCode.Unsupported] = ("UNSUPPORTED", StatusCodes.Status405MethodNotAllowed),
        [OciErrorCode.TooManyRequests] = ("TOOMANYREQUESTS", StatusCodes.Status429TooManyRequests),
        [OciErrorCode.Unavailable] = ("UNAVAILABLE", StatusCodes.Status503ServiceUnavailable),
        // 4xx, though the fault is the server's: skopeo (containers/image) and the Docker engine's own registry
        // client read the envelope of a 4xx answer only, and print just "unexpected HTTP status: 507 Insufficient
        // Storage" for a 5xx. The message is the one thing that tells the user what happened.
        [OciErrorCode.StoreFull] = ("UNAVAILABLE", StatusCodes.Status413PayloadTooLarge),
        [OciErrorCode.StoreReadOnly] = ("UNAVAILABLE", StatusCodes.Status403Forbidden),
        [OciErrorCode.NotFound] = ("NOT_FOUND", StatusCodes.Status404NotFound),
        [OciErrorCode.Unknown] = ("UNKNOWN", StatusCodes.Status500InternalServerError),
    };

    public static IResult Error(OciErrorCode code, string message, IReadOnlyDictionary<string, string>? detail = null, TimeSpan? retryAfter = null) =>
        new ErrorResult(code, message, detail, retryAfter);

    public static IResult Error(RegistryException exception) => Error(exception.Code, exception.Message, exception.Detail, exception.RetryAfter);

    private sealed class ErrorResult(OciErrorCode code, string message, IReadOnlyDictionary<string, string>? detail, TimeSpan? retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var (name, status) = Table[code];
            if (retryAfter is { } wait)
            {
                httpContext.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorEnvelope([new ErrorEntry(name, message, detail)]), Json.ErrorEnvelope);
            return new SmallBody(body, "application/json", status).ExecuteAsync(httpContext);
        }
    }
}
