namespace NeonRegistry.Maintenance;

/// <summary>How a store verification runs.</summary>
public sealed record VerificationOptions
{
    /// <summary>Move corrupt blobs into the quarantine directory, so a push (or a cache fill) stores them again.</summary>
    public bool Repair { get; init; }

    /// <summary>
    /// The store is a pull-through cache's: content arrives when first pulled and is evicted when space runs short,
    /// so a manifest's content, its layers or an index's children being absent is normal, not a fault. What is
    /// present is still re-hashed, and tags and referrers must still name manifests the repository holds.
    /// </summary>
    public bool CacheStore { get; init; }
}
