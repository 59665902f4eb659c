using System.Net;
using System.Text.RegularExpressions;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Proxy;

/// <summary>How the cache reads an upstream answer: found, not found, or a failure to pass on in our own terms.</summary>
internal static partial class UpstreamResponses
{
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(60);

    /// <returns>True for 200; false for 404, so the client gets our 404 and can fall back to its next mirror.</returns>
    /// <exception cref="RegistryException">
    /// NAME_UNKNOWN when the upstream denies access, TOOMANYREQUESTS (with Retry-After) when it rate-limits us,
    /// UNAVAILABLE for anything else. Bodies are not read: Docker Hub's 429, for one, is not JSON.
    /// </exception>
    public static bool IsFound(HttpResponseMessage response, UpstreamClient upstream, string name)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                return true;
            case HttpStatusCode.NotFound:
                return false;
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                // Docker Hub answers 401 for repositories that do not exist, so this is a 404 to the client too.
                throw new RegistryException(
                    OciErrorCode.NameUnknown,
                    $"the upstream registry {upstream.RemoteUrl.Authority} denied access to '{name}': it does not exist there, or USER/PASSWORD may not pull it",
                    new Dictionary<string, string> { ["name"] = name });
            case HttpStatusCode.TooManyRequests:
                throw new RegistryException(OciErrorCode.TooManyRequests, $"the upstream registry {upstream.RemoteUrl.Authority} is rate-limiting this cache; try again later")
                {
                    RetryAfter = RetryAfterOf(response) ?? DefaultRetryAfter,
                };
            default:
                throw upstream.Unavailable($"answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    /// <summary>Reads a manifest body, refusing one over the limit whether or not the upstream announced its length.</summary>
    /// <exception cref="RegistryException">UNAVAILABLE for a body over the limit.</exception>
    public static async Task<byte[]> ReadManifestAsync(HttpResponseMessage response, UpstreamClient upstream, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await ManifestStore.ReadContentOrNullAsync(body, response.Content.Headers.ContentLength, cancellationToken)
            ?? throw upstream.Unavailable($"sent a manifest over the {ManifestStore.MaxContentLength} byte limit");
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };

    /// <summary>
    /// The query of the next page's link. Only the query is taken, so the upstream cannot send the cache (and its
    /// credentials) to another host or path.
    /// </summary>
    public static string? NextPageQuery(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links)
        {
            var next = NextLink().Match(link);
            if (next.Success && next.Groups["target"].Value.IndexOf('?') is var start and >= 0)
            {
                return next.Groups["target"].Value[start..];
            }
        }

        return null;
    }

    [GeneratedRegex("""<(?<target>[^>]*)>\s*;\s*rel="?next"?""", RegexOptions.IgnoreCase)]
    private static partial Regex NextLink();
}
