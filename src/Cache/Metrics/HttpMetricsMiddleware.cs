using System.Diagnostics;
using NeonRegistry.Api;

namespace NeonRegistry.Metrics;

/// <summary>
/// Counts and times every request and the body bytes it moved. It runs outside the exception handler, so a
/// fault is counted with the 500 it became, and outside the login, so refused requests are counted too.
/// </summary>
internal sealed class HttpMetricsMiddleware(RegistryMetrics metrics) : IMiddleware
{
    // A closed set of label values: Prometheus keeps one series per combination, so nothing a client chooses
    // freely (a repository name, an odd method) may become a label value.
    private static readonly Dictionary<V2RouteKind, string> KindLabels = Enum.GetValues<V2RouteKind>().ToDictionary(kind => kind, SnakeCase);
    private static readonly HashSet<string> KnownMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    private static readonly object ResponseBodyKey = new();

    /// <summary>
    /// The response body bytes this request handed to the server so far: 0 for a HEAD, what went out before the
    /// break for an aborted download. Not the Content-Length, which only says what was promised.
    /// </summary>
    public static long BytesSent(HttpContext http) =>
        http.Items.TryGetValue(ResponseBodyKey, out var body) && body is CountingStream counted ? counted.BytesWritten : 0;

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var requestBody = new CountingStream(http.Request.Body);
        var responseBody = new CountingStream(http.Response.Body);
        http.Request.Body = requestBody;
        http.Response.Body = responseBody;
        http.Items[ResponseBodyKey] = responseBody;
        metrics.InProgress.Inc();
        var faulted = false;
        try
        {
            await next(http);
            // Writes made through a PipeWriter over the counting stream stay buffered until completed; a client
            // that went away gets nothing more.
            if (!http.RequestAborted.IsCancellationRequested)
            {
                await http.Response.CompleteAsync();
            }
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
            metrics.RecordRequest(method, RouteLabel(http), status, Stopwatch.GetElapsedTime(started), requestBody.BytesRead, responseBody.BytesWritten);
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
