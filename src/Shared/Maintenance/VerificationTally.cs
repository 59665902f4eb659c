using NeonRegistry.Oci;

namespace NeonRegistry.Maintenance;

/// <summary>The counts and problems of a verification while it runs.</summary>
internal sealed class VerificationTally(VerificationOptions options, IMaintenanceReporter reporter)
{
    private readonly List<MaintenanceEvent> _problems = [];

    public VerificationOptions Options { get; } = options;

    public IMaintenanceReporter Reporter { get; } = reporter;

    /// <summary>Blobs found corrupt, whether or not they were moved aside.</summary>
    public HashSet<Digest> Corrupt { get; } = [];

    public int BlobsChecked { get; set; }

    public long BytesChecked { get; set; }

    public int ManifestsChecked { get; set; }

    public int TagsChecked { get; set; }

    public int BlobsQuarantined { get; set; }

    public void Problem(MaintenanceEventKind kind, string message, RepositoryName? repository = null, Digest? digest = null)
    {
        var problem = new MaintenanceEvent(kind, message) { Repository = repository, Digest = digest };
        _problems.Add(problem);
        Reporter.Report(problem);
    }

    public VerificationSummary ToSummary(bool interrupted, TimeSpan elapsed) => new()
    {
        Interrupted = interrupted,
        BlobsChecked = BlobsChecked,
        BytesChecked = BytesChecked,
        ManifestsChecked = ManifestsChecked,
        TagsChecked = TagsChecked,
        BlobsCorrupt = Corrupt.Count,
        BlobsQuarantined = BlobsQuarantined,
        Problems = _problems.ToList(),
        Elapsed = elapsed,
    };
}
