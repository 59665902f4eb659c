using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NeonRegistry.Api;

/// <summary>
/// A body sent in one write with its length declared: a manifest, a JSON document, an error envelope. Its bytes
/// are added to <see cref="BodyBytes"/> once the server has taken them; a HEAD gets the headers alone.
/// </summary>
internal sealed class SmallBody(ReadOnlyMemory<byte> content, string contentType, int statusCode = StatusCodes.Status200OK) : IResult
{
    private const string JsonContentType = "application/json; charset=utf-8";

    public static SmallBody Json<T>(T value, JsonTypeInfo<T> typeInfo, string? contentType = null, int statusCode = StatusCodes.Status200OK) =>
        new(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), contentType ?? JsonContentType, statusCode);

    public static SmallBody Text(string text, string contentType, int statusCode = StatusCodes.Status200OK) =>
        new(Encoding.UTF8.GetBytes(text), contentType, statusCode);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = contentType;
        response.ContentLength = content.Length;
        if (HttpMethods.IsHead(httpContext.Request.Method))
        {
            return;
        }

        await response.Body.WriteAsync(content);
        BodyBytes.Of(httpContext).AddSent(content.Length);
    }
}
