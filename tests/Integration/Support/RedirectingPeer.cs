using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// A server posing as a peer node that answers every request with a 307 to another server on loopback, which
/// records the headers of every request it gets (and answers 404): where a followed redirect would take a peer
/// request's headers.
/// </summary>
public sealed class RedirectingPeer : IAsyncDisposable
{
    private readonly WebApplication _peer;
    private readonly WebApplication _target;
    private readonly ConcurrentQueue<IReadOnlyList<string>> _received;

    private RedirectingPeer(WebApplication peer, WebApplication target, ConcurrentQueue<IReadOnlyList<string>> received)
    {
        _peer = peer;
        _target = target;
        _received = received;
    }

    public Uri BaseAddress => LoopbackApp.AddressOf(_peer);

    /// <summary>The header names of each request that reached the redirect's target.</summary>
    public IReadOnlyList<IReadOnlyList<string>> ReceivedAtTarget => _received.ToList();

    public static async Task<RedirectingPeer> StartAsync()
    {
        var received = new ConcurrentQueue<IReadOnlyList<string>>();
        var target = LoopbackApp.Create();
        target.Run(http =>
        {
            received.Enqueue([.. http.Request.Headers.Keys]);
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await target.StartAsync();
        var elsewhere = LoopbackApp.AddressOf(target);
        var peer = LoopbackApp.Create();
        peer.Run(http =>
        {
            http.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            http.Response.Headers.Location = new Uri(elsewhere, http.Request.Path + http.Request.QueryString).ToString();
            return Task.CompletedTask;
        });
        await peer.StartAsync();
        return new RedirectingPeer(peer, target, received);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { _peer, _target })
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
