using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NeonRegistry.Configuration;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// The cache nodes of PEERS as this node sees them, and who owns a digest: rendezvous (highest random weight)
/// hashing, each node weighed by a hash of its URL and the digest. Every node has the same list, so every node
/// ranks a digest's nodes alike, and a node that leaves moves only the digests it owned, each to its next node.
/// Empty without PEERS.
/// </summary>
internal sealed class PeerCluster : IDisposable
{
    private readonly Node[] _nodes;

    public PeerCluster(RegistryOptions options, PeerMetrics metrics, TimeProvider clock)
    {
        if (options.Peers is not { } peers || options.Upstreams is not { } upstreams)
        {
            _nodes = [];
            Peers = [];
            return;
        }

        Signer = new PeerSigner(peers, NameOf(peers.Nodes, peers.Self), clock);
        _nodes = [.. peers.Nodes.Select((url, index) => new Node(
            Encoding.UTF8.GetBytes(url.AbsoluteUri + "\n"),
            index == peers.Self ? null : new Peer(url, NameOf(peers.Nodes, index), upstreams.Defaults, peers, Signer, metrics, clock)))];
        Peers = [.. _nodes.Select(node => node.Peer).OfType<Peer>()];
    }

    /// <summary>Signs and checks peer requests; null without PEERS (then every peer request is refused).</summary>
    public PeerSigner? Signer { get; }

    /// <summary>The other nodes, in PEERS order.</summary>
    public IReadOnlyList<Peer> Peers { get; }

    /// <summary>
    /// The nodes ranked above this one for <paramref name="digest"/> that are up, the owner first. Empty when this
    /// node is the owner (or there are no peers): then it asks the upstream itself. A node only ever asks nodes
    /// ranked above it, so requests between nodes never go round in a circle.
    /// </summary>
    public IEnumerable<Peer> RankedAbove(Digest digest) => RankedAbove(digest.ToString());

    /// <summary>As for a digest, for any key: a tag is owned by the ranking of <c>name:tag</c>.</summary>
    public IEnumerable<Peer> RankedAbove(string content)
    {
        var key = Encoding.UTF8.GetBytes(content);
        foreach (var node in _nodes.OrderByDescending(node => Weight(node.Key, key)))
        {
            if (node.Peer is not { } peer)
            {
                yield break;
            }

            if (peer.IsUp)
            {
                yield return peer;
            }
        }
    }

    public void Dispose()
    {
        foreach (var peer in Peers)
        {
            peer.Dispose();
        }
    }

    private static ulong Weight(byte[] node, byte[] digest)
    {
        Span<byte> input = stackalloc byte[node.Length + digest.Length];
        node.CopyTo(input);
        digest.CopyTo(input[node.Length..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }

    /// <summary>A node's host, or host:port when another node of the list has the same host.</summary>
    private static string NameOf(IReadOnlyList<Uri> nodes, int index) =>
        nodes.Count(node => node.Host.Equals(nodes[index].Host, StringComparison.OrdinalIgnoreCase)) > 1 ? nodes[index].Authority : nodes[index].Host;

    /// <param name="Peer">Null for this node.</param>
    private sealed record Node(byte[] Key, Peer? Peer);
}
