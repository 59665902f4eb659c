using System.Net;
using System.Text.Json;
using NeonRegistry.Concurrency;
using NeonRegistry.Configuration;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// Whether the upstream accepts the way this cache pulls, with USER/PASSWORD or anonymously: one <c>GET /v2/</c>
/// sent as pulls are, answering the challenge (basic, or a token fetch). Asked at most once per
/// <see cref="Interval"/>: readiness is probed every few seconds, and every refused login counts toward the
/// upstream's own failed-login throttle.
/// </summary>
internal sealed class UpstreamAccessCheck(UpstreamClient upstream, UpstreamOptions options, TimeProvider clock)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly SingleFlight<string, string?> _asks = new();
    private volatile Verdict? _last;

    /// <returns>Why the upstream refuses this cache's pulls; null when it accepts them, or could not be asked.</returns>
    public async Task<string?> RefusalOrNullAsync(CancellationToken cancellationToken)
    {
        if (_last is { } last && clock.GetElapsedTime(last.At) < Interval)
        {
            return last.Refusal;
        }

        return await _asks.RunAsync("", AskAsync, cancellationToken);
    }

    private async Task<string?> AskAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        string? refusal;
        try
        {
            using var response = await upstream.PingWithLoginAsync(timeout.Token);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                refusal = Refused($"GET /v2/ answered {(int)response.StatusCode}{(options.User is null ? $"; set {options.LoginSettings} to its login" : "")}");
            }
            else if (response.IsSuccessStatusCode)
            {
                refusal = null;
            }
            else
            {
                // A 5xx says nothing about the login; the readiness ping reports the upstream's state.
                return null;
            }
        }
        catch (RegistryException e)
        {
            refusal = Refused(e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
        {
            // Unreachable, or a token service that answers garbage: nothing learnt about the login.
            return null;
        }

        _last = new Verdict(clock.GetTimestamp(), refusal);
        return refusal;
    }

    private string Refused(string detail)
    {
        var upstreamName = options.RemoteUrl.Authority;
        if (options.User is not null)
        {
            return $"upstream {upstreamName} refuses {options.LoginSetting}: {detail}";
        }

        var ignored = options.IgnoredUser is not null ? " (USER was set without PASSWORD and ignored)" : "";
        return $"upstream {upstreamName} refuses anonymous pulls{ignored}: {detail}";
    }

    private sealed record Verdict(long At, string? Refusal);
}
