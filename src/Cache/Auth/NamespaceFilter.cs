using NeonRegistry.Api;
using NeonRegistry.Oci;
using NeonRegistry.Proxy;
using Serilog;

namespace NeonRegistry.Auth;

/// <summary>
/// Gives every request the store's name for the repository it asks for (<see cref="UpstreamSet.StoredNameOrNull"/>):
/// containerd names the registry it means in <c>?ns=</c> when it uses a mirror, podman, CRI-O and skopeo name it as
/// the first path component (<c>/v2/ghcr.io/owner/app/...</c>), and Docker Engine names none. A namespace no
/// upstream serves gets 404 NAME_UNKNOWN, so containerd falls back to its next mirror or the registry itself.
/// </summary>
internal sealed class NamespaceFilter(Upstreams upstreams, IDiagnosticContext diagnostics) : IMiddleware
{
    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        string? ns = http.Request.Query["ns"];
        var set = upstreams.Current;
        if (RequestRoute.Of(http).Route is not { Name: { } name } route)
        {
            return string.IsNullOrEmpty(ns) || set.Serves(ns)
                ? next(http)
                : OciResults.Error(OciErrorCode.NameUnknown, $"this cache mirrors {set.NameList}, not {ns}").ExecuteAsync(http);
        }

        if (set.StoredNameOrNull(ns, name, out var refusal) is not { } stored)
        {
            return OciResults.Error(OciErrorCode.NameUnknown, refusal).ExecuteAsync(http);
        }

        // The request's log event names its upstream (a property of JSON lines; text lines show the stored name).
        diagnostics.Set("Upstream", set.Resolve(stored)?.Upstream.Options.Name);
        if (stored != name)
        {
            RequestRoute.Replace(http, route with { Name = stored });
        }

        return next(http);
    }
}
