using NeonRegistry.Api;
using NeonRegistry.Configuration;
using NeonRegistry.Oci;

namespace NeonRegistry.Auth;

/// <summary>
/// Refuses every write: with READ_ONLY=true, so garbage collection sees a store that does not change; and always
/// in a pull-through cache, whose content comes only from its upstream.
/// </summary>
internal sealed class ReadOnlyGuard(RegistryOptions options) : IMiddleware
{
    private readonly string _reason = options.Upstreams is { } upstreams
        ? $"this is a pull-through cache of {string.Join(", ", upstreams.All.Select(u => u.RemoteUrl.Authority))}: push to that registry instead"
        : "the registry is read-only for maintenance (READ_ONLY=true); pulls keep working, push again later";

    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var method = http.Request.Method;
        if (HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method))
        {
            return OciResults.Error(OciErrorCode.Unsupported, _reason).ExecuteAsync(http);
        }

        return next(http);
    }
}
