namespace NeonRegistry.Maintenance;

/// <summary>
/// What a garbage collection kept and deleted (in a dry run: would have deleted). Manifests are counted per
/// repository revision, blobs once each.
/// </summary>
public sealed record GarbageCollectionSummary
{
    public bool DryRun { get; init; }

    /// <summary>True when the run was cancelled; what it counts was done, and the store is consistent.</summary>
    public bool Interrupted { get; init; }

    public int ManifestsKept { get; init; }

    public int ManifestsDeleted { get; init; }

    /// <summary>Blobs kept because a kept manifest references them, or because they are within the grace period.</summary>
    public int BlobsKept { get; init; }

    /// <summary>Of <see cref="BlobsKept"/>, those no manifest references but which are younger than the grace period.</summary>
    public int BlobsWithinGrace { get; init; }

    public int BlobsDeleted { get; init; }

    public long BytesFreed { get; init; }

    /// <summary>Repository links removed because the blob or manifest they named is gone.</summary>
    public int LinksDeleted { get; init; }

    public int TempFilesDeleted { get; init; }

    /// <summary>
    /// Kept manifests, and manifests they name, whose content is missing: they cannot be pulled until pushed again
    /// (or, in a cache, fetched again), and mark nothing.
    /// </summary>
    public int ManifestsWithoutContent { get; init; }

    /// <summary>Events of kind <see cref="MaintenanceEventKind.Warning"/>: corrupt manifests that made the run keep more.</summary>
    public int Warnings { get; init; }

    public TimeSpan Elapsed { get; init; }
}
