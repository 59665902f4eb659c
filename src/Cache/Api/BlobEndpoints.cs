using Microsoft.Net.Http.Headers;
using NeonRegistry.Content;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Api;

/// <summary>distribution-spec: Pulling blobs, Deleting blobs.</summary>
internal sealed class BlobEndpoints(IContentSource content, BlobStore blobs, CacheHeaders cacheHeaders, DeletePolicy deletes)
{
    private const string OctetStream = "application/octet-stream";

    /// <summary>
    /// GET and HEAD. A committed blob is served from disk with single-range support and its digest as a strong
    /// ETag; a blob a cache is still fetching is streamed to the client as it arrives; a HEAD for a blob only the
    /// upstream holds answers with the upstream's length.
    /// </summary>
    public async Task<IResult> GetAsync(HttpContext http, V2Route route, CancellationToken cancellationToken)
    {
        var digest = Digest.Parse(route.Argument);
        var blob = HttpMethods.IsHead(http.Request.Method)
            ? await content.HeadBlobOrNullAsync(route.Repository, digest, cancellationToken)
            : await content.GetBlobOrNullAsync(route.Repository, digest, cancellationToken);
        if (blob is null)
        {
            return Unknown(route, digest);
        }

        if (blob.Lease is not null)
        {
            http.Response.RegisterForDispose(blob.Lease);
        }

        http.Response.Headers[RegistryHeaders.ContentDigest] = digest.ToString();
        cacheHeaders.Write(http, blob.Status, blob.Via);
        var entityTag = new EntityTagHeaderValue($"\"{digest}\"");
        if (blob.File is { } file)
        {
            return new BlobFileResult(file, OctetStream, entityTag);
        }

        if (blob.Intake is { } fill)
        {
            return new FollowFillResult(fill, entityTag);
        }

        http.Response.ContentType = OctetStream;
        http.Response.ContentLength = blob.UpstreamLength;
        if (blob.UpstreamLength is not null)
        {
            // What the GET that follows will offer, as for a committed blob.
            http.Response.Headers.AcceptRanges = "bytes";
        }

        return TypedResults.Ok();
    }

    public IResult Delete(V2Route route)
    {
        deletes.EnsureAllowed();
        var digest = Digest.Parse(route.Argument);
        return blobs.Unlink(route.Repository, digest) ? TypedResults.Accepted((string?)null) : Unknown(route, digest);
    }

    private static IResult Unknown(V2Route route, Digest digest) =>
        OciResults.Error(OciErrorCode.BlobUnknown, $"blob {digest} is not in repository '{route.Repository}'", new Dictionary<string, string> { ["digest"] = digest.ToString() });
}
