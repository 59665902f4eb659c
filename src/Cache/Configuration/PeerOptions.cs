namespace NeonRegistry.Configuration;

/// <summary>
/// The cache nodes of one cluster (PEERS), which share their blobs so that each crosses from the upstream once.
/// Present only in cache mode with PEERS set; every node has the same list, this node among them.
/// </summary>
internal sealed record PeerOptions
{
    /// <summary>Every node's root URL as PEERS lists it, this node's included: the same keys on every node, so the same owners.</summary>
    public required IReadOnlyList<Uri> Nodes { get; init; }

    /// <summary>The index in <see cref="Nodes"/> of this node: the entry whose host, or host:port, is HOST.</summary>
    public required int Self { get; init; }

    /// <summary>Signs and checks peer requests (SECRET, the same on every node).</summary>
    public required string Secret { get; init; }

    /// <summary>How long a peer may take to start answering before the next node, then the upstream, is asked.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
