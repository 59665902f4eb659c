using NeonRegistry.Api;
using NeonRegistry.Oci;

namespace NeonRegistry.Auth;

/// <summary>With READ_ONLY=true, refuses every write so garbage collection sees a store that does not change.</summary>
internal sealed class ReadOnlyGuard : IMiddleware
{
    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var method = http.Request.Method;
        if (HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method))
        {
            return OciResults.Error(OciErrorCode.Unsupported, "the registry is read-only for maintenance (READ_ONLY=true); pulls keep working, push again later")
                .ExecuteAsync(http);
        }

        return next(http);
    }
}
