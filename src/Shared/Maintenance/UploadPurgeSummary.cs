namespace NeonRegistry.Maintenance;

/// <summary>What an upload purge deleted and kept.</summary>
public sealed record UploadPurgeSummary
{
    /// <summary>True when the run was cancelled; what it counts was done.</summary>
    public bool Interrupted { get; init; }

    public int UploadsPurged { get; init; }

    /// <summary>Uploads written to within the age limit: possibly still in progress, so left alone.</summary>
    public int UploadsKept { get; init; }

    public long BytesFreed { get; init; }

    /// <summary>Uploads that could not be deleted (another instance deleting them at the same moment, or an I/O error).</summary>
    public int Failures { get; init; }

    public TimeSpan Elapsed { get; init; }
}
