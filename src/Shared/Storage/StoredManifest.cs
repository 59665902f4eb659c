using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>A manifest exactly as pushed: its digest, the media type it was pushed with, and its bytes.</summary>
public sealed record StoredManifest(Digest Digest, string MediaType, byte[] Content);
