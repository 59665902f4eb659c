using System.Net;

namespace NeonRegistry.Proxy;

/// <summary>
/// Probes every peer every few seconds with one signed <c>GET /v2/</c>, so a node that went down is skipped before
/// a pull has to wait for it, and one that came back is asked again. A 403 is a node that refuses this node's
/// signature (its SECRET differs), which counts as down too.
/// </summary>
internal sealed class PeerProber(PeerCluster cluster, TimeProvider clock) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>Probes every peer once, at the same time, and records what each said.</summary>
    public Task ProbeAllAsync(CancellationToken cancellationToken) => Task.WhenAll(cluster.Peers.Select(peer => ProbeAsync(peer, cancellationToken)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (cluster.Peers.Count == 0)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await ProbeAllAsync(stoppingToken);
            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task ProbeAsync(Peer peer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await peer.Client.PingWithLoginAsync(timeout.Token);
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                peer.MarkDown("it refuses this node's peer signature: check that SECRET is the same on every node");
            }
            else
            {
                peer.MarkUp();
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            peer.MarkDown(e is OperationCanceledException ? $"it did not answer within {Timeout.TotalSeconds} s" : $"it cannot be reached ({e.Message})");
        }
    }
}
