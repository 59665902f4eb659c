using NeonRegistry.Oci;

namespace NeonRegistry.Maintenance;

/// <summary>What one repository held when the store was scanned: its links to blobs, manifests, tags and referrers.</summary>
internal sealed class RepositoryContents(RepositoryName name)
{
    public RepositoryName Name { get; } = name;

    /// <summary>Manifest revisions, with the time each was last written or used as an index's child.</summary>
    public Dictionary<Digest, DateTimeOffset> Revisions { get; } = [];

    /// <summary>Tags and what they point at; null for a tag file that holds no digest.</summary>
    public Dictionary<string, Digest?> Tags { get; } = new(StringComparer.Ordinal);

    public HashSet<Digest> LayerLinks { get; } = [];

    /// <summary>Each subject's referrers, as the referrers index lists them.</summary>
    public Dictionary<Digest, List<Digest>> Referrers { get; } = [];

    public IEnumerable<Digest> TaggedDigests => Tags.Values.OfType<Digest>();

    public IReadOnlyList<Digest> ReferrersOf(Digest subject) => Referrers.TryGetValue(subject, out var found) ? found : [];

    public IEnumerable<Digest> SubjectsReferredBy(Digest referrer) =>
        Referrers.Where(r => r.Value.Contains(referrer)).Select(r => r.Key);
}
