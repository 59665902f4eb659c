using NeonRegistry.Oci;

namespace NeonRegistry.Api;

/// <summary>
/// The route table of the API: one ASP.NET endpoint takes every <c>/v2</c> request, <see cref="RequestRoute"/> has
/// parsed it, and this table sends each (endpoint, method) pair to its handler. HEAD goes wherever GET goes.
/// </summary>
internal sealed class V2Dispatcher(
    BlobEndpoints blobs,
    UploadEndpoints uploads,
    ManifestEndpoints manifests,
    TagEndpoints tags,
    CatalogEndpoints catalog,
    ReferrersEndpoints referrers)
{
    public async Task<IResult> DispatchAsync(HttpContext http)
    {
        var parsed = RequestRoute.Of(http);
        if (parsed.Refusal is { } refusal)
        {
            throw refusal;
        }

        var route = parsed.Route;
        if (route is null)
        {
            return OciResults.Error(OciErrorCode.NotFound, $"'{http.Request.Path}' is not an endpoint of the registry API");
        }

        var method = HttpMethods.IsHead(http.Request.Method) ? HttpMethods.Get : http.Request.Method;
        var ct = http.RequestAborted;
        return (route.Kind, method) switch
        {
            (V2RouteKind.Base, "GET") => BaseEndpoints.Check(),
            (V2RouteKind.Catalog, "GET") => catalog.List(http),
            (V2RouteKind.Tags, "GET") => await tags.ListAsync(http, route, ct),
            (V2RouteKind.Manifest, "GET") => await manifests.GetAsync(http, route, ct),
            (V2RouteKind.Manifest, "PUT") => await manifests.PutAsync(http, route, ct),
            (V2RouteKind.Manifest, "DELETE") => await manifests.DeleteAsync(route, ct),
            (V2RouteKind.Blob, "GET") => await blobs.GetAsync(http, route, ct),
            (V2RouteKind.Blob, "DELETE") => blobs.Delete(route),
            (V2RouteKind.UploadStart, "POST") => await uploads.StartAsync(http, route, ct),
            (V2RouteKind.UploadSession, "GET") => uploads.Status(http, route),
            (V2RouteKind.UploadSession, "PATCH") => await uploads.PatchAsync(http, route, ct),
            (V2RouteKind.UploadSession, "PUT") => await uploads.PutAsync(http, route, ct),
            (V2RouteKind.UploadSession, "DELETE") => uploads.Cancel(http, route),
            (V2RouteKind.Referrers, "GET") => await referrers.ListAsync(http, route, ct),
            _ => OciResults.Error(OciErrorCode.Unsupported, $"{http.Request.Method} is not supported on {route.Kind} endpoints"),
        };
    }
}
