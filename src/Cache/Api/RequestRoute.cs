using Microsoft.AspNetCore.Http.Features;
using NeonRegistry.Oci;

namespace NeonRegistry.Api;

/// <summary>
/// A request's <see cref="V2Route"/>, parsed once as the request arrives (right after forwarded headers), so that
/// the login, the namespace filter, the read-only guard, the dispatcher, the request log and the metrics all see
/// the same route, including for requests refused before the dispatcher runs.
/// </summary>
internal sealed class RequestRoute
{
    private static readonly RequestRoute NoRoute = new(null, null);

    private RequestRoute(V2Route? route, RegistryException? refusal)
    {
        Route = route;
        Refusal = refusal;
    }

    /// <summary>The parsed route; null for a path that is no API endpoint or that was refused.</summary>
    public V2Route? Route { get; }

    /// <summary>Why the path was refused (NAME_INVALID), or null.</summary>
    public RegistryException? Refusal { get; }

    /// <summary>The route the front middleware parsed; parses now for a request that did not pass it.</summary>
    public static RequestRoute Of(HttpContext http) => http.Features.Get<RequestRoute>() ?? Parse(http);

    /// <summary>The middleware that parses every request's route as it arrives.</summary>
    public static Task ParseAsync(HttpContext http, RequestDelegate next)
    {
        http.Features.Set(Parse(http));
        return next(http);
    }

    /// <summary>Makes <paramref name="route"/> the request's route from here on, e.g. with the store's name for its repository.</summary>
    public static void Replace(HttpContext http, V2Route route) => http.Features.Set(new RequestRoute(route, null));

    private static RequestRoute Parse(HttpContext http)
    {
        // The raw target, not the decoded path: V2Route refuses escapes before any name exists.
        var rawTarget = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? http.Request.Path.Value ?? "";
        try
        {
            return V2Route.Parse(rawTarget) is { } route ? new RequestRoute(route, null) : NoRoute;
        }
        catch (RegistryException refusal)
        {
            return new RequestRoute(null, refusal);
        }
    }
}
