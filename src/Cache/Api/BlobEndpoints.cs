using Microsoft.Net.Http.Headers;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Api;

/// <summary>distribution-spec: Pulling blobs, Deleting blobs.</summary>
internal sealed class BlobEndpoints(BlobStore blobs, DeletePolicy deletes)
{
    private const string OctetStream = "application/octet-stream";

    /// <summary>GET and HEAD: streamed from disk, with single-range support, the digest doubling as a strong ETag.</summary>
    public IResult Get(HttpContext http, V2Route route)
    {
        var digest = Digest.Parse(route.Argument);
        var blob = blobs.FindOrNull(route.Repository, digest);
        if (blob is null)
        {
            return OciResults.Error(OciErrorCode.BlobUnknown, $"blob {digest} is not in repository '{route.Repository}'", new { digest = digest.ToString() });
        }

        http.Response.Headers[RegistryHeaders.ContentDigest] = digest.ToString();
        return TypedResults.PhysicalFile(blob.Path, OctetStream, entityTag: new EntityTagHeaderValue($"\"{digest}\""), enableRangeProcessing: true);
    }

    public IResult Delete(V2Route route)
    {
        deletes.EnsureAllowed();
        var digest = Digest.Parse(route.Argument);
        return blobs.Unlink(route.Repository, digest)
            ? TypedResults.Accepted((string?)null)
            : OciResults.Error(OciErrorCode.BlobUnknown, $"blob {digest} is not in repository '{route.Repository}'", new { digest = digest.ToString() });
    }
}
