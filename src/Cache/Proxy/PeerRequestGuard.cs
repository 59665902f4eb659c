using Microsoft.AspNetCore.Http.Features;
using NeonRegistry.Api;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// Checks requests that say they come from a peer (they carry <see cref="PeerSigner.HeaderName"/>): one with a
/// valid signature is a peer request, answered from the store or the upstream only, never forwarded to another
/// peer, and needs no client login; one with a missing, wrong or expired signature, or that would write, is
/// refused with 403 DENIED. A request without the header is an ordinary client's.
/// </summary>
internal sealed class PeerRequestGuard(PeerCluster cluster, PeerMetrics metrics) : IMiddleware
{
    private static readonly object Marker = new();

    public static bool IsPeerRequest(HttpContext? http) => http?.Items.ContainsKey(Marker) == true;

    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (!http.Request.Headers.TryGetValue(PeerSigner.HeaderName, out var signature))
        {
            return next(http);
        }

        var method = http.Request.Method;
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? http.Request.Path.Value ?? "";
        var refusal = cluster.Signer is not { } signer ? "this cache node has no PEERS, so it takes no peer requests"
            : !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) ? "a peer request may only read (GET or HEAD)"
            : signer.RefusalOrNull(method, target, signature.Count == 1 ? signature[0] : null);
        if (refusal is not null)
        {
            metrics.Refused.Inc();
            return OciResults.Error(OciErrorCode.Denied, refusal).ExecuteAsync(http);
        }

        http.Items[Marker] = true;
        return next(http);
    }
}
