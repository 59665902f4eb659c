using NeonRegistry.Oci;

namespace NeonRegistry.Tests.Support;

/// <summary>A manifest <see cref="RandomStoreModel"/> holds, with the children it names and the subject it refers to.</summary>
public sealed record ModelManifest(BuiltManifest Manifest, IReadOnlyList<Digest> Children, Digest? Subject);
