using NeonRegistry.Api;
using NeonRegistry.Oci;

namespace NeonRegistry.Auth;

/// <summary>
/// Refuses a write sent by a web page of another site. A browser that has opened the registry's pages keeps its
/// Basic login and sends it with any request to the registry, a hostile page's form POST included (a simple
/// request: no CORS preflight asks first). Registry clients send neither Origin nor Sec-Fetch-Site, so they pass.
/// </summary>
internal sealed class CrossSiteWriteGuard : IMiddleware
{
    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var method = http.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || !IsCrossSite(http.Request))
        {
            return next(http);
        }

        return OciResults.Error(OciErrorCode.Denied, "writes from a web page of another site are refused: push with a registry client").ExecuteAsync(http);
    }

    private static bool IsCrossSite(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0)
        {
            return fetchSite is not ("same-origin" or "none");
        }

        // Browsers without Fetch Metadata still name the page's origin on a POST; it must be the registry's own.
        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0
            && !(Uri.TryCreate(origin, UriKind.Absolute, out var page) && string.Equals(page.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }
}
