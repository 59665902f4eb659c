using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>The outcome of a manifest push: its digest, and the subject it refers to, if any.</summary>
public sealed record PushedManifest(Digest Digest, Digest? Subject);
