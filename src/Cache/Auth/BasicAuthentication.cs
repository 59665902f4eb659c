using NeonRegistry.Api;
using NeonRegistry.Oci;

namespace NeonRegistry.Auth;

/// <summary>
/// Requires a valid login on every registry request. A missing or wrong one gets 401 with a Basic challenge,
/// which is what makes <c>docker login</c>, <c>podman login</c> and <c>skopeo login</c> work; an address that
/// keeps guessing gets 429 for a while.
/// </summary>
internal sealed class BasicAuthentication(CredentialVerifier verifier, LoginThrottle throttle) : IMiddleware
{
    private const string Challenge = "Basic realm=\"neon-registry\"";

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (ProbePaths.IsProbe(http) || Proxy.PeerRequestGuard.IsPeerRequest(http))
        {
            await next(http);
            return;
        }

        var address = http.Connection.RemoteIpAddress;
        var credentials = BasicCredentials.FromRequest(http.Request);

        // A login verified before the burst keeps working: behind a proxy, every client shares the proxy's address.
        if (credentials is not null && verifier.IsRemembered(credentials))
        {
            await next(http);
            return;
        }

        // No credentials (or the empty ones skopeo, podman and buildah send unasked) cost no check and count nothing.
        if (credentials is null)
        {
            await ChallengeAsync(http, "authentication required: log in with the registry's user name and password");
            return;
        }

        switch (await verifier.IsValidAsync(credentials, () => throttle.TryBegin(address)))
        {
            case true:
                await next(http);
                return;
            case false:
                await ChallengeAsync(http, "wrong user name or password");
                return;
            default:
                // A lockout, or earlier checks still running that may reach the limit.
                var wait = throttle.RetryAfter(address) ?? TimeSpan.FromSeconds(1);
                await OciResults.Error(OciErrorCode.TooManyRequests, "too many failed logins from this address; try again after the Retry-After delay", retryAfter: wait)
                    .ExecuteAsync(http);
                return;
        }
    }

    private static Task ChallengeAsync(HttpContext http, string message)
    {
        http.Response.Headers.WWWAuthenticate = Challenge;
        return OciResults.Error(OciErrorCode.Unauthorized, message).ExecuteAsync(http);
    }
}
