using System.Net;
using System.Text.RegularExpressions;
using System.Text.Json;
using NeonRegistry.Configuration;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Proxy;

/// <summary>
/// One repository at one upstream registry, asked in typed calls (distribution-spec's manifests, blobs, tags and
/// referrers). Every answer comes back in our own terms: found, not found (null, so the client gets our 404 and
/// can fall back to its next mirror), or a <see cref="RegistryException"/> the client can act on. A connection
/// that breaks or a body that cannot be read is the upstream's fault, UNAVAILABLE, never the client's.
/// </summary>
internal sealed partial class UpstreamRepository(UpstreamClient client, RepositoryName name)
{
    // A bound on a misbehaving upstream whose "next" never ends.
    private const int MaxPages = 100;

    private const int TagPageSize = 1000;

    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(60);

    /// <summary>The name the upstream knows the repository by: Docker Hub keeps its official images under library/.</summary>
    private readonly string _remoteName = client.Options.RemoteNameOf(name);

    public UpstreamOptions Options => client.Options;

    /// <summary>GETs a manifest by tag or digest, its body read within the manifest size limit.</summary>
    /// <returns>The manifest as sent, or null when the upstream does not have it.</returns>
    public Task<UpstreamManifest?> GetManifestOrNullAsync(string reference, CancellationToken cancellationToken) =>
        AsUpstreamFaultAsync(async token =>
        {
            using var response = await client.SendAsync(HttpMethod.Get, _remoteName, $"manifests/{reference}", UpstreamClient.ManifestAccept, token);
            if (!IsFound(response))
            {
                return null;
            }

            var content = await ReadManifestAsync(response, token);
            return new UpstreamManifest(content, response.Content.Headers.ContentType?.MediaType, DigestHeader(response));
        }, withBodyTimeout: true, cancellationToken);

    /// <summary>HEADs a tag (which Docker Hub does not count against its pull limit).</summary>
    /// <returns>Whether the upstream has the tag, and the digest it names now when the upstream said.</returns>
    public Task<TagHead> HeadTagAsync(string tag, CancellationToken cancellationToken) =>
        AsUpstreamFaultAsync(async token =>
        {
            using var response = await client.SendAsync(HttpMethod.Head, _remoteName, $"manifests/{tag}", UpstreamClient.ManifestAccept, token);
            return IsFound(response) ? new TagHead(true, DigestHeader(response)) : new TagHead(false, null);
        }, withBodyTimeout: false, cancellationToken);

    /// <summary>GETs a blob, its body not yet read; the caller owns the answer.</summary>
    /// <returns>The blob, or null when the upstream does not have it.</returns>
    public Task<UpstreamBlob?> GetBlobOrNullAsync(Digest digest, CancellationToken cancellationToken) =>
        AsUpstreamFaultAsync(async token =>
        {
            var response = await client.SendAsync(HttpMethod.Get, _remoteName, $"blobs/{digest}", null, token);
            try
            {
                return IsFound(response) ? new UpstreamBlob(response) : null;
            }
            finally
            {
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    response.Dispose();
                }
            }
        }, withBodyTimeout: false, cancellationToken);

    /// <summary>HEADs a blob.</summary>
    /// <returns>
    /// Whether the upstream has it, with its length when the upstream gave one; null when only a GET can tell: blob
    /// storage whose links are signed for a GET alone refuses a HEAD it was redirected to.
    /// </returns>
    public Task<BlobHead?> HeadBlobOrNullAsync(Digest digest, CancellationToken cancellationToken) =>
        AsUpstreamFaultAsync<BlobHead?>(async token =>
        {
            var path = $"blobs/{digest}";
            using var response = await client.SendAsync(HttpMethod.Head, _remoteName, path, null, token);
            var redirected = !response.RequestMessage!.RequestUri!.AbsolutePath.EndsWith(path, StringComparison.Ordinal);
            if (redirected && response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.NotFound))
            {
                return null;
            }

            return IsFound(response) ? new BlobHead(true, response.Content.Headers.ContentLength) : new BlobHead(false, null);
        }, withBodyTimeout: false, cancellationToken);

    /// <summary>
    /// The repository's tags, every page of them (distribution-spec: Listing Tags): pages are asked for at their
    /// largest and followed by their <c>Link: &lt;…&gt;; rel="next"</c> header.
    /// </summary>
    /// <returns>The tags in ordinal order, or null when the upstream does not have the repository.</returns>
    public Task<IReadOnlyList<string>?> ListTagsOrNullAsync(CancellationToken cancellationToken) =>
        AsUpstreamFaultAsync<IReadOnlyList<string>?>(async token =>
        {
            var tags = new SortedSet<string>(StringComparer.Ordinal);
            string? query = $"?n={TagPageSize}";
            for (var page = 0; query is not null && page < MaxPages; page++)
            {
                using var response = await client.SendAsync(HttpMethod.Get, _remoteName, "tags/list" + query, "application/json", token);
                if (!IsFound(response))
                {
                    // Gone between two pages: what was listed so far is still what the upstream held.
                    return page == 0 ? null : tags.ToList();
                }

                using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(token), cancellationToken: token);
                if (json.RootElement.TryGetProperty("tags", out var array) && array.ValueKind == JsonValueKind.Array)
                {
                    tags.UnionWith(array.EnumerateArray().Select(t => t.GetString()).OfType<string>());
                }

                query = NextPageQuery(response);
            }

            return tags.ToList();
        }, withBodyTimeout: false, cancellationToken);

    /// <summary>
    /// The referrers of a subject, every page of them (distribution-spec: Listing Referrers). An upstream without
    /// the referrers API (distribution 2.8, for one, answers 404) is read the way clients read it: from the index
    /// tagged with the subject's digest (<see cref="ReferrersTag"/>).
    /// </summary>
    /// <returns>The referrers' descriptors; empty when the upstream knows none.</returns>
    public Task<IReadOnlyList<Descriptor>> ListReferrersAsync(Digest subject, CancellationToken cancellationToken) =>
        AsUpstreamFaultAsync<IReadOnlyList<Descriptor>>(async token =>
        {
            var referrers = new List<Descriptor>();
            string? query = "";
            for (var page = 0; query is not null && page < MaxPages; page++)
            {
                using var response = await client.SendAsync(HttpMethod.Get, _remoteName, $"referrers/{subject}{query}", MediaTypes.OciIndex, token);
                if (!IsFound(response))
                {
                    return page == 0 ? await ReadTaggedReferrersAsync(subject, token) : referrers;
                }

                referrers.AddRange(await ReadIndexAsync(response, token));
                query = NextPageQuery(response);
            }

            return referrers;
        }, withBodyTimeout: true, cancellationToken);

    /// <summary>
    /// distribution-spec, Referrers Tag Schema: the algorithm, '-', and the hex truncated to 64 characters, so a
    /// sha512 subject's tag stays within the 128 characters a tag may have (v1.1 gave no length for sha512).
    /// </summary>
    public static string ReferrersTag(Digest subject) => $"{subject.Algorithm}-{subject.Hex[..Math.Min(64, subject.Hex.Length)]}";

    public RegistryException Unavailable(string what) => client.Unavailable(what);

    private async Task<IReadOnlyList<Descriptor>> ReadTaggedReferrersAsync(Digest subject, CancellationToken cancellationToken)
    {
        using var tagged = await client.SendAsync(HttpMethod.Get, _remoteName, $"manifests/{ReferrersTag(subject)}", MediaTypes.OciIndex, cancellationToken);
        return IsFound(tagged) ? await ReadIndexAsync(tagged, cancellationToken) : [];
    }

    private async Task<IReadOnlyList<Descriptor>> ReadIndexAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var content = await ReadManifestAsync(response, cancellationToken);
        var index = ManifestDocument.Parse(content, MediaTypes.OciIndex);
        // Passed on to clients: an entry without a well-formed digest is the upstream's error, not theirs to parse.
        return [.. index.Manifests.Where(d => Digest.TryParse(d.Digest, out _))];
    }

    /// <summary>Reads a manifest body, refusing one over the limit whether or not the upstream announced its length.</summary>
    private async Task<byte[]> ReadManifestAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await ManifestStore.ReadContentOrNullAsync(body, response.Content.Headers.ContentLength, cancellationToken)
            ?? throw Unavailable($"sent a manifest over the {ManifestStore.MaxContentLength} byte limit");
    }

    /// <returns>True for 200; false for 404.</returns>
    /// <exception cref="RegistryException">
    /// NAME_UNKNOWN when the upstream denies access, TOOMANYREQUESTS (with Retry-After) when it rate-limits us,
    /// UNAVAILABLE for anything else. Bodies are not read: Docker Hub's 429, for one, is not JSON.
    /// </exception>
    private bool IsFound(HttpResponseMessage response)
    {
        var upstream = client.Options.RemoteUrl.Authority;
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
                    $"the upstream registry {upstream} denied access to '{name}': it does not exist there, or {client.Options.LoginSetting} may not pull it",
                    new Dictionary<string, string> { ["name"] = name.Value });
            case HttpStatusCode.TooManyRequests:
                throw new RegistryException(OciErrorCode.TooManyRequests, $"the upstream registry {upstream} is rate-limiting this cache; try again later")
                {
                    RetryAfter = RetryAfterOf(response) ?? DefaultRetryAfter,
                };
            default:
                throw Unavailable($"answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    /// <summary>
    /// Runs one call in our terms: a broken connection, a stalled or non-JSON body, or a call that outlived its
    /// timeout become UNAVAILABLE, so cached content is served instead where there is some. Only the caller's own
    /// cancellation stays a cancellation.
    /// </summary>
    private async Task<T> AsUpstreamFaultAsync<T>(Func<CancellationToken, Task<T>> call, bool withBodyTimeout, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (withBodyTimeout)
        {
            timeout.CancelAfter(client.Options.RequestTimeout + client.Options.IdleTimeout);
        }

        try
        {
            return await call(timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw Unavailable($"broke off or sent a body that could not be read ({e.Message})");
        }
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
    private static string? NextPageQuery(HttpResponseMessage response)
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

    private static Digest? DigestHeader(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Docker-Content-Digest", out var values) && Digest.TryParse(values.FirstOrDefault(), out var digest) ? digest : null;

    /// <summary>What a HEAD of a tag said: whether the upstream has it, and the digest it names when given.</summary>
    public readonly record struct TagHead(bool Found, Digest? Digest);

    /// <summary>What a HEAD of a blob said: whether the upstream has it, and its length when given.</summary>
    public readonly record struct BlobHead(bool Found, long? Length);
}
