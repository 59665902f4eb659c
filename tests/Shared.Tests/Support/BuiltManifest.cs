using NeonRegistry.Oci;

namespace NeonRegistry.Tests.Support;

/// <summary>A manifest a test pushed: its digest, its descriptor (to name it as a child or subject), and every blob it needs.</summary>
/// <param name="Blobs">The manifest itself, its config and layers, and, for an index, everything its children need.</param>
public sealed record BuiltManifest(RepositoryName Repository, Digest Digest, Descriptor Descriptor, IReadOnlyList<Digest> Blobs)
{
    public override string ToString() => $"{Repository}@{Digest}";
}
