namespace NeonRegistry.Maintenance;

/// <summary>How a garbage collection runs.</summary>
public sealed record GarbageCollectionOptions
{
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromHours(1);

    /// <summary>Report what would be deleted and change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// Also remove manifest revisions that no tag reaches, directly, as a kept index's child, or as a referrer of a
    /// kept manifest.
    /// </summary>
    public bool DeleteUntagged { get; init; }

    /// <summary>
    /// Nothing written or used more recently than this before the run started is deleted: blobs, untagged revisions
    /// and temp files alike. It is what keeps a push that runs during collection whole.
    /// </summary>
    public TimeSpan Grace { get; init; } = DefaultGrace;
}
