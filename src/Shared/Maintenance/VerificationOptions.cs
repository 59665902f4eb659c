namespace NeonRegistry.Maintenance;

/// <summary>How a store verification runs.</summary>
public sealed record VerificationOptions
{
    /// <summary>Move corrupt blobs into the quarantine directory, so a push (or a cache fill) stores them again.</summary>
    public bool Repair { get; init; }

    /// <summary>
    /// Whether a manifest's config and layers must be in the store. True for a registry, where a push brings them
    /// before the manifest; false for a pull-through cache's store, which fetches layers only when they are pulled.
    /// </summary>
    public bool RequireReferencedBlobs { get; init; } = true;
}
