using NeonRegistry.Configuration;

namespace NeonRegistry.Api;

/// <summary>
/// The methods each endpoint answers in this instance's mode, for the <c>Allow</c> header that every 405 must carry
/// (RFC 9110, 405 Method Not Allowed): whether the dispatcher found no handler for the method, or READ_ONLY, cache
/// mode or DELETE_ENABLED=false refused it. HEAD goes wherever GET goes.
/// </summary>
internal sealed class AllowedMethods(RegistryOptions options)
{
    private static readonly Dictionary<V2RouteKind, string[]> ByKind = new()
    {
        [V2RouteKind.Base] = ["GET", "HEAD"],
        [V2RouteKind.Catalog] = ["GET", "HEAD"],
        [V2RouteKind.Tags] = ["GET", "HEAD"],
        [V2RouteKind.Manifest] = ["GET", "HEAD", "PUT", "DELETE"],
        [V2RouteKind.Blob] = ["GET", "HEAD", "DELETE"],
        [V2RouteKind.UploadStart] = ["POST"],
        [V2RouteKind.UploadSession] = ["GET", "HEAD", "PATCH", "PUT", "DELETE"],
        [V2RouteKind.Referrers] = ["GET", "HEAD"],
    };

    /// <returns>The <c>Allow</c> value for the request's endpoint (empty when it allows none here), or null when the path is no endpoint.</returns>
    public string? ForOrNull(HttpContext http) =>
        RequestRoute.Of(http).Route is { } route ? string.Join(", ", ByKind[route.Kind].Where(Permitted)) : null;

    private bool Permitted(string method) =>
        method is "GET" or "HEAD"
        || (!options.ReadOnly && !options.IsCache && (method != "DELETE" || options.DeleteEnabled));
}
