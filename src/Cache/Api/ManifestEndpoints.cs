using NeonRegistry.Content;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Api;

/// <summary>distribution-spec: Pulling manifests, Pushing manifests, Deleting tags and manifests.</summary>
internal sealed class ManifestEndpoints(ManifestStore manifests, IContentSource content, CacheHeaders cacheHeaders, DeletePolicy deletes)
{
    /// <summary>GET and HEAD: the exact bytes pushed, with the media type they were pushed as.</summary>
    public async Task<IResult> GetAsync(HttpContext http, V2Route route, CancellationToken cancellationToken)
    {
        if (LookupReferenceOrNull(route.Argument) is not { } reference)
        {
            return Unknown(route, route.Argument);
        }

        var found = await content.GetManifestOrNullAsync(route.Repository, reference, cancellationToken);
        if (found is null)
        {
            return Unknown(route, reference.ToString());
        }

        var manifest = found.Manifest;
        cacheHeaders.Write(http, found.Status, found.Via);
        http.Response.Headers[RegistryHeaders.ContentDigest] = manifest.Digest.ToString();
        http.Response.Headers.ETag = $"\"{manifest.Digest}\"";
        return new SmallBody(manifest.Content, manifest.MediaType);
    }

    public async Task<IResult> PutAsync(HttpContext http, V2Route route, CancellationToken cancellationToken)
    {
        var reference = Reference.Parse(route.Argument);
        var content = await ManifestStore.ReadContentOrNullAsync(CountingStream.RequestBody(http), http.Request.ContentLength, cancellationToken) ?? throw TooLarge();
        var tags = http.Request.Query["tag"].Select(t => t ?? "").ToList();
        var pushed = await manifests.PutAsync(route.Repository, reference, content, http.Request.ContentType, tags, cancellationToken);

        http.Response.Headers[RegistryHeaders.ContentDigest] = pushed.Digest.ToString();
        if (tags.Count > 0)
        {
            // distribution-spec (next version), Pushing Manifests: one OCI-Tag header per tag the push pointed.
            http.Response.Headers[RegistryHeaders.Tag] = pushed.Tags.ToArray();
        }

        if (pushed.Subject is { } subject)
        {
            http.Response.Headers[RegistryHeaders.Subject] = subject.ToString();
        }

        return TypedResults.Created($"/v2/{route.Repository}/manifests/{pushed.Digest}");
    }

    public async Task<IResult> DeleteAsync(V2Route route, CancellationToken cancellationToken)
    {
        deletes.EnsureAllowed();
        if (LookupReferenceOrNull(route.Argument) is not { } reference)
        {
            return Unknown(route, route.Argument);
        }

        return await manifests.DeleteAsync(route.Repository, reference, cancellationToken)
            ? TypedResults.Accepted((string?)null)
            : Unknown(route, reference.ToString());
    }

    /// <summary>
    /// The reference of a lookup, or null when it cannot be a tag: nothing by that name can exist, so GET, HEAD and
    /// DELETE answer 404 MANIFEST_UNKNOWN, as distribution does and as clients probing for a manifest expect. Only a
    /// push of such a tag is refused as TAG_INVALID. A malformed digest stays DIGEST_INVALID.
    /// </summary>
    private static Reference? LookupReferenceOrNull(string value) =>
        value.Contains(':') || Tag.IsValid(value) ? Reference.Parse(value) : null;

    private static IResult Unknown(V2Route route, string reference) =>
        OciResults.Error(
            OciErrorCode.ManifestUnknown,
            $"manifest '{reference}' is not in repository '{route.Repository}'",
            new Dictionary<string, string> { ["name"] = route.Repository.Value, ["reference"] = reference });

    private static RegistryException TooLarge() =>
        new(OciErrorCode.ManifestTooLarge, $"the manifest is over the limit of {ManifestStore.MaxContentLength} bytes");
}
