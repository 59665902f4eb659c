using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>A manifest as the upstream sent it: its bytes, its Content-Type, and the digest it named, when it named one.</summary>
internal sealed record UpstreamManifest(byte[] Content, string? MediaType, Digest? Digest);
