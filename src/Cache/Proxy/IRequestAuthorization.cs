namespace NeonRegistry.Proxy;

/// <summary>
/// How a request to another registry is authorised: the upstream's login (<see cref="UpstreamAuthenticator"/>),
/// or a peer node's signature (<see cref="PeerSigner"/>). The one difference between asking an upstream
/// and asking a peer, which speak the same /v2/ API.
/// </summary>
internal interface IRequestAuthorization
{
    /// <summary>Sends a request, authorised; the response's body is unread and the caller owns it.</summary>
    /// <param name="create">Builds the request afresh (a challenged request is sent again); a new one each call.</param>
    /// <param name="scope">The token scope this request needs, e.g. <c>repository:library/alpine:pull</c>; empty for none.</param>
    Task<HttpResponseMessage> SendAsync(HttpClient http, Func<HttpRequestMessage> create, string scope, CancellationToken cancellationToken);
}
