using NeonRegistry.Oci;

namespace NeonRegistry.Api;

/// <summary>
/// A parsed <c>/v2/...</c> URL: which endpoint, which repository, and the trailing reference (tag, digest or
/// upload id). Repository names hold '/', which ASP.NET route templates cannot express before a fixed suffix,
/// so every /v2 path is parsed here, from the raw request target: nothing is decoded or normalised first, and
/// any escape but an escaped ':', backslash or control character is refused before a name exists.
/// </summary>
internal sealed record V2Route(V2RouteKind Kind, RepositoryName? Name, string? Reference)
{
    public RepositoryName Repository => Name ?? throw new InvalidOperationException($"{Kind} has no repository");

    public string Argument => Reference ?? throw new InvalidOperationException($"{Kind} has no reference");

    /// <returns>Null when the path is no endpoint of the API.</returns>
    /// <exception cref="RegistryException">NAME_INVALID for a name outside the grammar or a path with escapes.</exception>
    public static V2Route? Parse(string rawTarget)
    {
        var path = PathOf(rawTarget);
        if (path is "/v2" or "/v2/")
        {
            return new V2Route(V2RouteKind.Base, null, null);
        }

        if (!path.StartsWith("/v2/", StringComparison.Ordinal))
        {
            return null;
        }

        // A digest's ':' escaped (as encodeURIComponent does) is the one escape with a meaning here: ':' may only
        // form a digest, so it opens no path trick, while every other escape stays refused.
        path = path.Replace("%3A", ":", StringComparison.OrdinalIgnoreCase);

        if (path.Any(c => c is '%' or '\\' || char.IsControl(c)))
        {
            throw new RegistryException(OciErrorCode.NameInvalid, $"the path '{path}' holds escapes, backslashes or control characters, which no repository name, tag or digest may contain");
        }

        var segments = path[4..].Split('/');
        if (segments is ["_catalog"])
        {
            return new V2Route(V2RouteKind.Catalog, null, null);
        }

        var n = segments.Length;
        return n switch
        {
            >= 3 when segments[n - 2] == "tags" && segments[n - 1] == "list" => Make(V2RouteKind.Tags, segments, 2, null),
            >= 3 when segments[n - 2] == "manifests" => Make(V2RouteKind.Manifest, segments, 2, segments[n - 1]),
            >= 3 when segments[n - 2] == "referrers" => Make(V2RouteKind.Referrers, segments, 2, segments[n - 1]),
            >= 3 when segments[n - 2] == "blobs" && segments[n - 1] != "uploads" => Make(V2RouteKind.Blob, segments, 2, segments[n - 1]),
            >= 3 when segments[n - 2] == "blobs" => Make(V2RouteKind.UploadStart, segments, 2, null),
            >= 4 when segments[n - 3] == "blobs" && segments[n - 2] == "uploads" && segments[n - 1] == "" => Make(V2RouteKind.UploadStart, segments, 3, null),
            >= 4 when segments[n - 3] == "blobs" && segments[n - 2] == "uploads" => Make(V2RouteKind.UploadSession, segments, 3, segments[n - 1]),
            _ => null,
        };
    }

    private static V2Route Make(V2RouteKind kind, string[] segments, int suffixLength, string? reference) =>
        new(kind, RepositoryName.Parse(string.Join('/', segments[..^suffixLength])), reference);

    private static string PathOf(string rawTarget)
    {
        var query = rawTarget.IndexOfAny(['?', '#']);
        var path = query < 0 ? rawTarget : rawTarget[..query];
        // Only an absolute-form target (a proxy's "GET http://host/v2/..."); on Linux "/v2/..." would parse as a file: URI.
        if (!path.StartsWith('/') && Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            path = absolute.AbsolutePath;
        }

        return path;
    }
}
