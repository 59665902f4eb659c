using NeonRegistry.Oci;

namespace NeonRegistry.Maintenance;

/// <summary>What a store verification checked and found, counted in place by the run's <see cref="VerificationTally"/>.</summary>
public sealed record VerificationSummary
{
    /// <summary>True when the run was cancelled: what it did not reach was not checked.</summary>
    public bool Interrupted { get; internal set; }

    public int BlobsChecked { get; internal set; }

    public long BytesChecked { get; internal set; }

    public int ManifestsChecked { get; internal set; }

    public int TagsChecked { get; internal set; }

    /// <summary>Blobs whose bytes do not match their digest.</summary>
    public int BlobsCorrupt { get; internal set; }

    /// <summary>Corrupt blobs moved into the quarantine directory (with repair).</summary>
    public int BlobsQuarantined { get; internal set; }

    /// <summary>Every problem found, in the order found: corrupt blobs, missing content, unreadable manifests.</summary>
    public IReadOnlyList<MaintenanceEvent> Problems { get; internal set; } = [];

    /// <summary>True when every blob hashes to its digest and every manifest, tag and referrer names content that is there.</summary>
    public bool IsClean => !Interrupted && Problems.Count == 0;

    public TimeSpan Elapsed { get; internal set; }
}

/// <summary>A verification while it runs: what its checks share (options, reporter) and the summary they count into.</summary>
internal sealed class VerificationTally(VerificationOptions options, IMaintenanceReporter reporter)
{
    private readonly List<MaintenanceEvent> _problems = [];

    public VerificationOptions Options { get; } = options;

    public IMaintenanceReporter Reporter { get; } = reporter;

    /// <summary>Blobs found corrupt, whether or not they were moved aside.</summary>
    public HashSet<Digest> Corrupt { get; } = [];

    public VerificationSummary Counts { get; } = new();

    public void Problem(MaintenanceEventKind kind, string message, RepositoryName? repository = null, Digest? digest = null)
    {
        var problem = new MaintenanceEvent(kind, message) { Repository = repository, Digest = digest };
        _problems.Add(problem);
        Reporter.Report(problem);
    }

    public VerificationSummary ToSummary(bool interrupted, TimeSpan elapsed) =>
        Counts with { Interrupted = interrupted, BlobsCorrupt = Corrupt.Count, Problems = _problems.ToList(), Elapsed = elapsed };
}
