using NeonRegistry.Configuration;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// Another cache node of the cluster, asked like an upstream (it speaks the same /v2/ API) through its own
/// client, whose requests carry this node's signature instead of the upstream's login, and whose breaker and
/// timeouts are its own. Knows whether the node answered lately: a node found down is skipped until a probe or a
/// request finds it up again.
/// </summary>
internal sealed class Peer : IDisposable
{
    private readonly PeerMetrics _metrics;
    private readonly Lock _lock = new();
    private string? _downReason;

    public Peer(Uri url, string name, UpstreamDefaults defaults, PeerOptions peers, PeerSigner signer, PeerMetrics metrics, TimeProvider clock)
    {
        Url = url;
        Name = name;
        _metrics = metrics;
        // A peer that stopped answering is left alone briefly: the next node or the upstream serves meanwhile.
        var options = defaults.Create(name, url, user: null, password: null) with
        {
            TrustedTokenHosts = [],
            RequestTimeout = peers.Timeout,
            BreakDuration = TimeSpan.FromSeconds(10),
            // A peer that redirects is not one: its 3xx is a peer fault, and the signature goes nowhere else.
            FollowsRedirects = false,
        };
        Client = new UpstreamClient(options, signer, metrics: null, clock);
        metrics.Up(Name, true);
    }

    public Uri Url { get; }

    /// <summary>The node's name in X-Cache, logs and metrics: its host, or host:port when nodes share a host.</summary>
    public string Name { get; }

    public UpstreamClient Client { get; }

    /// <summary>True until a request or a probe fails to reach the node, and again once one reaches it.</summary>
    public bool IsUp
    {
        get
        {
            lock (_lock)
            {
                return _downReason is null;
            }
        }
    }

    /// <summary>Why the node counts as down; null while it is up.</summary>
    public string? DownReason
    {
        get
        {
            lock (_lock)
            {
                return _downReason;
            }
        }
    }

    /// <summary>The repository <paramref name="name"/> at this node: the name this node stores it under, unchanged.</summary>
    public UpstreamRepository Repository(RepositoryName name) => new(Client, name);

    public void MarkUp() => Mark(null);

    public void MarkDown(string reason) => Mark(reason);

    public void Answered(string result) => _metrics.Answered(Name, result);

    public void Fetched(long bytes) => _metrics.Fetched(Name, bytes);

    public void Dispose() => Client.Dispose();

    private void Mark(string? downReason)
    {
        lock (_lock)
        {
            _downReason = downReason;
        }

        _metrics.Up(Name, downReason is null);
    }
}
