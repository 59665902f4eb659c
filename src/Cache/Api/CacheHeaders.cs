using NeonRegistry.Configuration;
using NeonRegistry.Content;

namespace NeonRegistry.Api;

/// <summary>
/// Tells a cache's client which node answered and whether it was a hit, in the conventional
/// <c>X-Cache: HIT from node</c> form, on every response of a cache. An answer that names no cached content gets
/// a default as it starts: MISS for an error (nothing was served from the cache), HIT for what the node answers
/// by itself (<c>/v2/</c>, <c>_catalog</c>, probes). A primary's responses carry no such header.
/// </summary>
internal sealed class CacheHeaders(RegistryOptions options) : IMiddleware
{
    public const string Name = "X-Cache";

    /// <param name="via">The peer node the content came through (<c>MISS from manager-1 via manager-2</c>), if any.</param>
    public void Write(HttpContext http, CacheStatus status, string? via = null)
    {
        if (status != CacheStatus.Local)
        {
            http.Response.Headers[Name] = via is null ? Value(status) : $"{Value(status)} via {via}";
        }
    }

    /// <summary>Cache mode only: gives the default to responses that start without one.</summary>
    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        // As the response starts, so error responses (whose headers the exception handler resets) carry it too.
        http.Response.OnStarting(() =>
        {
            if (!http.Response.Headers.ContainsKey(Name))
            {
                http.Response.Headers[Name] = Value(http.Response.StatusCode >= StatusCodes.Status400BadRequest ? CacheStatus.Miss : CacheStatus.Hit);
            }

            return Task.CompletedTask;
        });
        return next(http);
    }

    private string Value(CacheStatus status) => $"{status.ToString().ToUpperInvariant()} from {options.InstanceName}";
}
