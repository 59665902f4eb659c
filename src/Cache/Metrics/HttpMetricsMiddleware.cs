using System.Diagnostics;
using NeonRegistry.Api;

namespace NeonRegistry.Metrics;

/// <summary>
/// Counts and times every request and the body bytes it moved (as <see cref="BodyBytes"/> counted them where they
/// were copied). It runs outside the exception handler, so a fault is counted with the 500 it became, and outside
/// the login, so refused requests are counted too.
/// </summary>
internal sealed class HttpMetricsMiddleware(RegistryMetrics metrics) : IMiddleware
{
    // A closed set of label values: Prometheus keeps one series per combination, so nothing a client chooses
    // freely (a repository name, an odd method) may become a label value.
    private static readonly Dictionary<V2RouteKind, string> KindLabels = Enum.GetValues<V2RouteKind>().ToDictionary(kind => kind, SnakeCase);
    private static readonly HashSet<string> KnownMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var bytes = BodyBytes.Of(http);
        metrics.InProgress.Inc();
        var faulted = false;
        try
        {
            await next(http);
        }
        catch
        {
            faulted = true;
            throw;
        }
        finally
        {
            metrics.InProgress.Dec();
            var status = faulted && !http.Response.HasStarted ? StatusCodes.Status500InternalServerError : http.Response.StatusCode;
            var method = KnownMethods.Contains(http.Request.Method) ? http.Request.Method : "OTHER";
            metrics.RecordRequest(method, RouteLabel(http), status, Stopwatch.GetElapsedTime(started), bytes.Received, bytes.Sent);
        }
    }

    private static string RouteLabel(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (ProbePaths.IsProbe(http))
        {
            return path[1..];
        }

        var parsed = RequestRoute.Of(http);
        return parsed.Route is { } route ? KindLabels[route.Kind]
            : parsed.Refusal is not null ? "invalid"
            : "other";
    }

    private static string SnakeCase(V2RouteKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
