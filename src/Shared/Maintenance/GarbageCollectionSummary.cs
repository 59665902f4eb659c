namespace NeonRegistry.Maintenance;

/// <summary>
/// What a garbage collection kept and deleted (in a dry run: would have deleted). Manifests are counted per
/// repository revision, blobs once each. Counted in place by the run's <see cref="GarbageCollectionTally"/>.
/// </summary>
public sealed record GarbageCollectionSummary
{
    public bool DryRun { get; internal set; }

    /// <summary>True when the run was cancelled; what it counts was done, and the store is consistent.</summary>
    public bool Interrupted { get; internal set; }

    public int ManifestsKept { get; internal set; }

    public int ManifestsDeleted { get; internal set; }

    /// <summary>Blobs kept because a kept manifest references them, or because they are within the grace period.</summary>
    public int BlobsKept { get; internal set; }

    /// <summary>Of <see cref="BlobsKept"/>, those no manifest references but which are younger than the grace period.</summary>
    public int BlobsWithinGrace { get; internal set; }

    public int BlobsDeleted { get; internal set; }

    public long BytesFreed { get; internal set; }

    /// <summary>Repository links removed because the blob or manifest they named is gone.</summary>
    public int LinksDeleted { get; internal set; }

    public int TempFilesDeleted { get; internal set; }

    /// <summary>
    /// Kept manifests, and manifests they name, whose content is missing: they cannot be pulled until pushed again
    /// (or, in a cache, fetched again), and mark nothing.
    /// </summary>
    public int ManifestsWithoutContent { get; internal set; }

    /// <summary>Events of kind <see cref="MaintenanceEventKind.Warning"/>: corrupt manifests that made the run keep more.</summary>
    public int Warnings { get; internal set; }

    public TimeSpan Elapsed { get; internal set; }
}

/// <summary>
/// A garbage collection while it runs: what its phases share (options, reporter, cutoff) and the summary they
/// count into.
/// </summary>
internal sealed class GarbageCollectionTally(GarbageCollectionOptions options, IMaintenanceReporter reporter, DateTimeOffset cutoff)
{
    public GarbageCollectionOptions Options { get; } = options;

    public IMaintenanceReporter Reporter { get; } = reporter;

    /// <summary>Only what was last written or used before this is old enough to delete.</summary>
    public DateTimeOffset Cutoff { get; } = cutoff;

    public bool DryRun => Options.DryRun;

    /// <summary>"deleted" or, in a dry run, "would delete": the verb of every event message.</summary>
    public string Deleted => DryRun ? "would delete" : "deleted";

    public GarbageCollectionSummary Counts { get; } = new() { DryRun = options.DryRun };

    public void Report(MaintenanceEvent maintenanceEvent)
    {
        if (maintenanceEvent.Kind == MaintenanceEventKind.Warning)
        {
            Counts.Warnings++;
        }

        Reporter.Report(maintenanceEvent);
    }

    public GarbageCollectionSummary ToSummary(bool interrupted, TimeSpan elapsed) => Counts with { Interrupted = interrupted, Elapsed = elapsed };
}
