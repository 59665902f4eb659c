namespace NeonRegistry.Maintenance;

/// <summary>What a store verification checked and found.</summary>
public sealed record VerificationSummary
{
    /// <summary>True when the run was cancelled: what it did not reach was not checked.</summary>
    public bool Interrupted { get; init; }

    public int BlobsChecked { get; init; }

    public long BytesChecked { get; init; }

    public int ManifestsChecked { get; init; }

    public int TagsChecked { get; init; }

    /// <summary>Blobs whose bytes do not match their digest.</summary>
    public int BlobsCorrupt { get; init; }

    /// <summary>Corrupt blobs moved into the quarantine directory (with repair).</summary>
    public int BlobsQuarantined { get; init; }

    /// <summary>Every problem found, in the order found: corrupt blobs, missing content, unreadable manifests.</summary>
    public IReadOnlyList<MaintenanceEvent> Problems { get; init; } = [];

    /// <summary>True when every blob hashes to its digest and every manifest, tag and referrer names content that is there.</summary>
    public bool IsClean => !Interrupted && Problems.Count == 0;

    public TimeSpan Elapsed { get; init; }
}
