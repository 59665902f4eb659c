using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// A real HTTP proxy on loopback between a cache and its upstream registry. It counts every request that reaches
/// the upstream (as distribution's tests wrap the truth registry's store) and can misbehave on demand: stall,
/// answer an error, cut a blob short, flip a byte, or trickle a body slowly.
/// </summary>
public sealed class UpstreamProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _forward;
    private readonly ConcurrentQueue<string> _requests = new();

    private UpstreamProxy(WebApplication app, HttpClient forward)
    {
        _app = app;
        _forward = forward;
        BaseAddress = LoopbackApp.AddressOf(app);
    }

    public Uri BaseAddress { get; }

    /// <summary>Every request forwarded or refused, as "METHOD /path".</summary>
    public IReadOnlyList<string> Requests => _requests.ToList();

    /// <summary>When set, requests hang this long before being answered 503 (an upstream that stopped answering).</summary>
    public TimeSpan? Stall { get; set; }

    /// <summary>When set, every request is answered with this status and no forwarding.</summary>
    public int? FailWith { get; set; }

    /// <summary>When set, blob bodies are sent at most this many bytes per 50 ms.</summary>
    public int? TrickleBytes { get; set; }

    /// <summary>Blob bodies are sent chunked, without a Content-Length, as some registries and storage services do.</summary>
    public bool ChunkedBlobs { get; set; }

    /// <summary>Blob bodies stop after half their bytes and the connection is cut.</summary>
    public bool TruncateBlobs { get; set; }

    /// <summary>Blob bodies keep their length but have one byte flipped.</summary>
    public bool CorruptBlobs { get; set; }

    /// <summary>Manifest GETs are answered 200 with an HTML page, as a misconfigured proxy in front of a registry does.</summary>
    public bool GarbageManifests { get; set; }

    /// <summary>Referrers lists are answered one entry per page, each linking the next, as a paginating registry does.</summary>
    public bool PageReferrers { get; set; }

    /// <summary>
    /// Blob requests are redirected to "storage" (this proxy, under /storage/) whose links, like signed links of
    /// cloud storage, are good for a GET alone: a HEAD there is refused with 403.
    /// </summary>
    public bool RedirectBlobsToStorage { get; set; }

    public static async Task<UpstreamProxy> StartAsync(Uri upstream)
    {
        var app = LoopbackApp.Create();
        var forward = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = upstream,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        UpstreamProxy? proxy = null;
        app.Run(http => proxy!.HandleAsync(http));
        await app.StartAsync();
        proxy = new UpstreamProxy(app, forward);
        return proxy;
    }

    /// <summary>How many requests with this method have a path containing <paramref name="pathPart"/>.</summary>
    public int Count(string method, string pathPart) =>
        _requests.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal) && r.Contains(pathPart, StringComparison.Ordinal));

    public void ResetCounts() => _requests.Clear();

    public async ValueTask DisposeAsync()
    {
        _forward.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        _requests.Enqueue($"{http.Request.Method} {http.Request.Path}");
        if (Stall is { } stall)
        {
            await Task.Delay(stall, http.RequestAborted);
            http.Response.StatusCode = 503;
            return;
        }

        if (GarbageManifests && HttpMethods.IsGet(http.Request.Method) && http.Request.Path.Value!.Contains("/manifests/"))
        {
            http.Response.ContentType = "text/html";
            await http.Response.WriteAsync("<html><body>502 Bad Gateway</body></html>");
            return;
        }

        if (FailWith is { } status)
        {
            http.Response.StatusCode = status;
            if (status == 429)
            {
                http.Response.Headers.RetryAfter = "17";
                await http.Response.WriteAsync("Too Many Requests (HAP429).\n");
            }

            return;
        }

        var path = http.Request.Path.Value!;
        if (RedirectBlobsToStorage && path.Contains("/blobs/sha256:"))
        {
            http.Response.StatusCode = 307;
            http.Response.Headers.Location = $"/storage/{Uri.EscapeDataString(path)}?signed-for=GET";
            return;
        }

        if (path.StartsWith("/storage/", StringComparison.Ordinal))
        {
            if (!HttpMethods.IsGet(http.Request.Method))
            {
                http.Response.StatusCode = 403;
                return;
            }

            // Storage needs no registry login: the link is the permission.
            http.Request.Path = Uri.UnescapeDataString(path["/storage/".Length..]);
            http.Request.QueryString = QueryString.Empty;
            http.Request.Headers.Authorization = RegistryServer.BasicAuth(RegistryServer.Username, RegistryServer.Password).ToString();
        }

        var pagedReferrers = PageReferrers && http.Request.Path.Value!.Contains("/referrers/");
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), http.Request.Path + (pagedReferrers ? "" : http.Request.QueryString.Value));
        foreach (var (name, values) in http.Request.Headers)
        {
            if (name is not ("Host" or "Content-Length"))
            {
                request.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var response = await _forward.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
        if (pagedReferrers)
        {
            await WriteReferrersPageAsync(http, await response.Content.ReadAsStringAsync(http.RequestAborted));
            return;
        }

        http.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name is not "Transfer-Encoding" && !(ChunkedBlobs && name == "Content-Length" && IsBlobGet(http)))
            {
                http.Response.Headers[name] = values.ToArray();
            }
        }

        await using var body = await response.Content.ReadAsStreamAsync(http.RequestAborted);
        var isBlob = IsBlobGet(http) && response.IsSuccessStatusCode;
        if (isBlob)
        {
            await CopyBlobAsync(http, body, response.Content.Headers.ContentLength ?? 0);
        }
        else
        {
            await body.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }

    private static bool IsBlobGet(HttpContext http) => http.Request.Path.Value!.Contains("/blobs/sha256:") && HttpMethods.IsGet(http.Request.Method);

    private static async Task WriteReferrersPageAsync(HttpContext http, string index)
    {
        var manifests = JsonNode.Parse(index)!["manifests"]!.AsArray();
        var page = int.TryParse(http.Request.Query["page"], out var asked) ? asked : 0;
        if (page + 1 < manifests.Count)
        {
            http.Response.Headers.Link = $"<{http.Request.Path}?page={page + 1}>; rel=\"next\"";
        }

        var entry = page < manifests.Count ? new JsonArray(manifests[page]!.DeepClone()) : new JsonArray();
        http.Response.ContentType = "application/vnd.oci.image.index.v1+json";
        await http.Response.WriteAsync(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json", ["manifests"] = entry }.ToJsonString());
    }

    private async Task CopyBlobAsync(HttpContext http, Stream body, long length)
    {
        var limit = TruncateBlobs ? length / 2 : long.MaxValue;
        var buffer = new byte[TrickleBytes ?? 64 * 1024];
        long sent = 0;
        int read;
        while (sent < limit && (read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - sent)), http.RequestAborted)) > 0)
        {
            if (CorruptBlobs && sent == 0)
            {
                buffer[0] ^= 0xFF;
            }

            await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
            sent += read;
            if (TrickleBytes is not null)
            {
                await Task.Delay(50, http.RequestAborted);
            }
        }

        if (TruncateBlobs)
        {
            http.Abort();
        }
    }
}
