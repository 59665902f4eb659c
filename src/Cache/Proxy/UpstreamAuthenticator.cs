using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Memory;
using NeonRegistry.Configuration;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// Logs in to the upstream the way it asks in its 401 challenge: basic with USER/PASSWORD, or a bearer token from
/// its realm (Docker's token authentication), cached per entry, login and scope until it expires. Credentials go only to a token
/// service that <see cref="TokenRealmTrust"/> accepts.
/// </summary>
internal sealed class UpstreamAuthenticator(UpstreamOptions options, IMemoryCache cache, ILogger<UpstreamAuthenticator> logger) : IRequestAuthorization
{
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);

    // With credentials, basic goes along from the first request (saving every fill a challenge round trip) until
    // the upstream says it wants bearer tokens; the credentials only ever go to the configured upstream itself.
    private volatile bool _wantsBasic = options.User is not null;

    /// <summary>Sends a request, answering one authentication challenge if the upstream makes one.</summary>
    /// <param name="create">Builds the request afresh: a challenged request is sent again.</param>
    /// <param name="scope">The token scope this request needs, e.g. <c>repository:library/alpine:pull</c>.</param>
    public async Task<HttpResponseMessage> SendAsync(HttpClient http, Func<HttpRequestMessage> create, string scope, CancellationToken cancellationToken)
    {
        var request = create();
        request.Headers.Authorization = KnownAuthorization(scope);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || response.Headers.WwwAuthenticate.FirstOrDefault() is not { } challenge)
        {
            return response;
        }

        AuthenticationHeaderValue? authorization;
        try
        {
            authorization = await AnswerAsync(http, challenge, scope, cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        // The same basic login again would only be refused again, and count once more toward the upstream's throttle.
        if (authorization is null || (authorization.Scheme == "Basic" && authorization.Parameter == request.Headers.Authorization?.Parameter))
        {
            return response;
        }

        response.Dispose();
        var retry = create();
        retry.Headers.Authorization = authorization;
        return await http.SendAsync(retry, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private AuthenticationHeaderValue? KnownAuthorization(string scope) =>
        cache.TryGetValue(TokenKey(scope), out string? token) ? new AuthenticationHeaderValue("Bearer", token)
        : _wantsBasic ? Basic()
        : null;

    private async Task<AuthenticationHeaderValue?> AnswerAsync(HttpClient http, AuthenticationHeaderValue challenge, string scope, CancellationToken cancellationToken)
    {
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            _wantsBasic = options.User is not null;
            return Basic();
        }

        if (BearerChallenge.TryParse(challenge) is not { } bearer)
        {
            return null;
        }

        _wantsBasic = false;
        return new AuthenticationHeaderValue("Bearer", await FetchTokenAsync(http, bearer, cancellationToken));
    }

    private async Task<string> FetchTokenAsync(HttpClient http, BearerChallenge challenge, CancellationToken cancellationToken)
    {
        if (challenge.Realm.Scheme != Uri.UriSchemeHttps && challenge.Realm.Scheme != Uri.UriSchemeHttp)
        {
            throw new RegistryException(
                OciErrorCode.Unavailable,
                $"the upstream {options.RemoteUrl.Authority} names token realm '{challenge.Realm}', which is not an http(s) URL; no token can be fetched there");
        }

        var sendCredentials = options.User is not null;
        if (sendCredentials && !TokenRealmTrust.IsTrusted(challenge.Realm, options))
        {
            throw new RegistryException(
                OciErrorCode.Unavailable,
                challenge.Realm.Scheme == Uri.UriSchemeHttps || options.RemoteUrl.Scheme != Uri.UriSchemeHttps
                    ? $"the upstream {options.RemoteUrl.Authority} asks for its login at token realm {challenge.Realm.Authority}, another host; list that host in TOKEN_REALM_HOSTS to allow it"
                    : $"the upstream {options.RemoteUrl.Authority} asks for its login at token realm {challenge.Realm}, over plain HTTP; the login is only sent over HTTPS");
        }

        var query = new StringBuilder("?");
        if (challenge.Service is not null)
        {
            query.Append("service=").Append(Uri.EscapeDataString(challenge.Service)).Append('&');
        }

        if (challenge.Scope is not null)
        {
            query.Append("scope=").Append(Uri.EscapeDataString(challenge.Scope));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(challenge.Realm, challenge.Realm.AbsolutePath + query.ToString().TrimEnd('&', '?')));
        request.Headers.Authorization = sendCredentials ? Basic() : null;
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryException(OciErrorCode.Unavailable, $"the token service of upstream {options.RemoteUrl.Authority} refused a token ({(int)response.StatusCode}); {(sendCredentials ? $"check {options.LoginSettings}" : $"it may need a login: set {options.LoginSettings}")}");
        }

        var body = await response.Content.ReadFromJsonAsync(UpstreamJsonContext.Default.TokenResponse, cancellationToken)
            ?? throw new RegistryException(OciErrorCode.Unavailable, $"the token service of upstream {options.RemoteUrl.Authority} sent no token");
        var value = body.Token ?? body.AccessToken ?? throw new RegistryException(OciErrorCode.Unavailable, $"the token service of upstream {options.RemoteUrl.Authority} sent no token");
        var lifetime = body.ExpiresIn is > 0 ? TimeSpan.FromSeconds(body.ExpiresIn.Value) : DefaultTokenLifetime;
        if (challenge.Scope is not null)
        {
            // Renewed a little early, so a token never expires between being chosen and being checked.
            cache.Set(TokenKey(challenge.Scope), value, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime * 0.9, Size = 1, Priority = CacheItemPriority.High });
        }

        logger.LogDebug("Fetched an upstream token for {Scope}, valid {Lifetime}", challenge.Scope, lifetime);
        return value;
    }

    private AuthenticationHeaderValue? Basic() =>
        options.User is null ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.User}:{options.Password}")));

    // Keyed by the upstream entry and its login too: a scope such as repository:app:pull means a different token at
    // each upstream, and at one upstream for each login (two entries for one URL, or a reload with another user).
    private string TokenKey(string scope) => $"upstream-token:{options.Name}:{options.User}:{options.RemoteUrl.Authority}:{scope}";

    internal sealed record TokenResponse(
        [property: JsonPropertyName("token")] string? Token,
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] int? ExpiresIn);
}
