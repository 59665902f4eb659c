using NeonRegistry.Api;
using NeonRegistry.Configuration;
using NeonRegistry.Oci;

namespace NeonRegistry.Auth;

/// <summary>
/// containerd names the registry it means in <c>?ns=</c> when it uses a mirror. A cache answers only for its own
/// upstream; for any other namespace it says 404, so containerd falls back to its next mirror or the registry itself.
/// </summary>
internal sealed class NamespaceFilter(UpstreamOptions options) : IMiddleware
{
    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        string? ns = http.Request.Query["ns"];
        if (string.IsNullOrEmpty(ns) || ns.Equals(options.Namespace, StringComparison.OrdinalIgnoreCase)
            || ns.Equals(options.RemoteUrl.Host, StringComparison.OrdinalIgnoreCase))
        {
            return next(http);
        }

        return OciResults.Error(OciErrorCode.NameUnknown, $"this cache mirrors {options.Namespace}, not {ns}").ExecuteAsync(http);
    }
}
