using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>The outcome of a manifest push: its digest, the subject it refers to, if any, and the tags now pointing at it.</summary>
public sealed record PushedManifest(Digest Digest, Digest? Subject)
{
    public IReadOnlyList<string> Tags { get; init; } = [];
}
