using System.Net;
using NeonRegistry.Configuration;
using NeonRegistry.Metrics;
using NeonRegistry.Oci;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace NeonRegistry.Proxy;

/// <summary>
/// Talks to the upstream registry: streams (headers first, body as a stream), never decompresses (digests are
/// over the raw bytes), keeps no cookies, follows redirects to blob storage without carrying credentials there,
/// and turns every way the upstream can fail into a registry error the client can act on — never a 500 and never
/// a 401, which would make the client prompt for our login.
/// </summary>
internal sealed class UpstreamClient : IDisposable
{
    public const string ManifestAccept =
        MediaTypes.OciIndex + ", " + MediaTypes.OciManifest + ", " + MediaTypes.DockerManifestList + ", " + MediaTypes.DockerManifest;

    private readonly UpstreamOptions _options;
    private readonly HttpClient _http;
    private readonly IRequestAuthorization _authenticator;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly CircuitBreakerStateProvider _breaker = new();
    private readonly CacheMetrics? _metrics;
    private readonly TimeProvider _clock;

    /// <param name="metrics">Where the upstream's latency and errors are counted; null for a peer, counted as a peer.</param>
    public UpstreamClient(UpstreamOptions options, IRequestAuthorization authenticator, CacheMetrics? metrics, TimeProvider clock)
    {
        _options = options;
        _authenticator = authenticator;
        _metrics = metrics;
        _clock = clock;
        _pipeline = UpstreamResilience.Create(options, clock, _breaker);
        _http = new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            // SocketsHttpHandler drops the Authorization header when it follows a redirect (but keeps other headers).
            AllowAutoRedirect = options.FollowsRedirects,
            MaxAutomaticRedirections = 5,
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            // Each attempt has its own timeout in the pipeline; a body download has an inactivity timeout instead.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public UpstreamOptions Options => _options;

    public Uri RemoteUrl => _options.RemoteUrl;

    /// <summary>True while the breaker keeps requests away from the upstream (open, or trying one request half-open).</summary>
    public bool IsBreakerOpen => _breaker.CircuitState is CircuitState.Open or CircuitState.Isolated;

    /// <summary>Sends a GET or HEAD for <c>/v2/{name}/{path}</c> and returns the response with its body unread.</summary>
    /// <exception cref="RegistryException">UNAVAILABLE when the upstream cannot be reached or keeps failing.</exception>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string name, string path, string? accept, CancellationToken cancellationToken)
    {
        var url = new Uri(_options.RemoteUrl, $"/v2/{name}/{path}");
        var scope = $"repository:{name}:pull";
        HttpRequestMessage Create()
        {
            var request = new HttpRequestMessage(method, url);
            if (accept is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept", accept);
            }

            return request;
        }

        var started = _clock.GetTimestamp();
        try
        {
            var response = await _pipeline.ExecuteAsync(
                async token => await _authenticator.SendAsync(_http, Create, scope, token),
                cancellationToken);
            _metrics?.UpstreamAnswered(_options.Name, method.Method, (int)response.StatusCode, _clock.GetElapsedTime(started));
            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
            {
                _metrics?.UpstreamFailed(_options.Name, "status");
            }

            return response;
        }
        catch (BrokenCircuitException e)
        {
            _metrics?.UpstreamFailed(_options.Name, "breaker_open");
            var wait = e.RetryAfter is { } after ? $"; it is asked again in {Math.Ceiling(after.TotalSeconds)} s" : "";
            throw Unavailable($"is unavailable after repeated failures{wait}");
        }
        catch (TimeoutRejectedException)
        {
            _metrics?.UpstreamFailed(_options.Name, "timeout");
            throw Unavailable($"did not answer within {_options.RequestTimeout.TotalSeconds} s");
        }
        catch (HttpRequestException e)
        {
            _metrics?.UpstreamFailed(_options.Name, "unreachable");
            throw Unavailable($"cannot be reached ({e.Message})");
        }
    }

    /// <summary>One plain <c>GET /v2/</c>, outside the resilience pipeline, for the readiness probe.</summary>
    public Task<HttpResponseMessage> PingAsync(CancellationToken cancellationToken) =>
        _http.GetAsync(new Uri(_options.RemoteUrl, "/v2/"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    /// <summary>
    /// One <c>GET /v2/</c> the way pulls are sent (the login, or a token fetched for the challenge), outside the
    /// resilience pipeline, for the readiness probe: whether the upstream accepts how this cache pulls.
    /// </summary>
    /// <exception cref="RegistryException">The token service refused a token, or may not be asked.</exception>
    public Task<HttpResponseMessage> PingWithLoginAsync(CancellationToken cancellationToken) =>
        _authenticator.SendAsync(_http, () => new HttpRequestMessage(HttpMethod.Get, new Uri(_options.RemoteUrl, "/v2/")), scope: "", cancellationToken);

    public RegistryException Unavailable(string what) =>
        new(OciErrorCode.Unavailable, $"the upstream registry {_options.RemoteUrl.Authority} {what}");

    public void Dispose() => _http.Dispose();
}
