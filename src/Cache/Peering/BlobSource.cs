using NeonRegistry.Proxy;

namespace NeonRegistry.Peering;

/// <summary>A blob on its way: the download, and the peer sending it (null for the upstream).</summary>
internal sealed record BlobSource(UpstreamBlob Blob, Peer? Peer);
