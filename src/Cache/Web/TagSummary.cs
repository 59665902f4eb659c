using NeonRegistry.Oci;

namespace NeonRegistry.Web;

/// <summary>What the repository page shows of one tag.</summary>
/// <param name="Size">Bytes of the config and layers (of every platform, for an index) that the store holds.</param>
/// <param name="Updated">When the tag was last written (or, in a cache, confirmed with the upstream).</param>
internal sealed record TagSummary(
    string Tag,
    Digest Digest,
    string MediaType,
    IReadOnlyList<string> Platforms,
    long Size,
    DateTimeOffset? Updated,
    IReadOnlyList<Descriptor> Referrers,
    IReadOnlyDictionary<string, string> Annotations);
