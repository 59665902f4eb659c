namespace NeonRegistry.Maintenance;

/// <summary>The counts of a garbage collection while it runs, and the reporter its phases share.</summary>
internal sealed class CollectionTally(GarbageCollectionOptions options, IMaintenanceReporter reporter, DateTimeOffset cutoff)
{
    public GarbageCollectionOptions Options { get; } = options;

    public IMaintenanceReporter Reporter { get; } = reporter;

    /// <summary>Only what was last written or used before this is old enough to delete.</summary>
    public DateTimeOffset Cutoff { get; } = cutoff;

    public bool DryRun => Options.DryRun;

    /// <summary>"deleted" or, in a dry run, "would delete": the verb of every event message.</summary>
    public string Deleted => DryRun ? "would delete" : "deleted";

    public int ManifestsKept { get; set; }

    public int ManifestsDeleted { get; set; }

    public int BlobsKept { get; set; }

    public int BlobsWithinGrace { get; set; }

    public int BlobsDeleted { get; set; }

    public long BytesFreed { get; set; }

    public int LinksDeleted { get; set; }

    public int TempFilesDeleted { get; set; }

    public int ManifestsWithoutContent { get; set; }

    public int Warnings { get; private set; }

    public void Report(MaintenanceEvent maintenanceEvent)
    {
        if (maintenanceEvent.Kind == MaintenanceEventKind.Warning)
        {
            Warnings++;
        }

        Reporter.Report(maintenanceEvent);
    }

    public GarbageCollectionSummary ToSummary(bool interrupted, TimeSpan elapsed) => new()
    {
        DryRun = DryRun,
        Interrupted = interrupted,
        ManifestsKept = ManifestsKept,
        ManifestsDeleted = ManifestsDeleted,
        BlobsKept = BlobsKept,
        BlobsWithinGrace = BlobsWithinGrace,
        BlobsDeleted = BlobsDeleted,
        BytesFreed = BytesFreed,
        LinksDeleted = LinksDeleted,
        TempFilesDeleted = TempFilesDeleted,
        ManifestsWithoutContent = ManifestsWithoutContent,
        Warnings = Warnings,
        Elapsed = elapsed,
    };
}
