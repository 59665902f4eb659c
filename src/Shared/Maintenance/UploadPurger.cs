using NeonRegistry.Storage;

namespace NeonRegistry.Maintenance;

/// <summary>
/// Deletes uploads nobody has written to for a while: clients that gave up, crashed or lost their upload URL
/// (distribution's purgeuploads). An upload's age is the time of its last chunk, so a slow upload that is still
/// receiving data is never purged. Safe to run from several instances at once.
/// </summary>
public sealed class UploadPurger(StorageLayout layout, UploadStore uploads, TimeProvider clock)
{
    public static readonly TimeSpan DefaultMaximumAge = TimeSpan.FromHours(24);

    private const string Phase = "purging uploads";

    /// <param name="olderThan">Uploads last written longer ago than this are deleted.</param>
    public UploadPurgeSummary Run(TimeSpan olderThan, IMaintenanceReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        var started = clock.GetTimestamp();
        var cutoff = clock.GetUtcNow() - olderThan;
        var summary = new UploadPurgeSummary();
        try
        {
            var ids = ListUploads();
            for (var i = 0; i < ids.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                summary = Purge(ids[i], cutoff, summary, reporter);
                reporter.Progress(new MaintenanceProgress(Phase, i + 1, ids.Count));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            summary = summary with { Interrupted = true };
        }

        return summary with { Elapsed = clock.GetElapsedTime(started) };
    }

    private UploadPurgeSummary Purge(string id, DateTimeOffset cutoff, UploadPurgeSummary summary, IMaintenanceReporter reporter)
    {
        // The directory's time covers an upload that crashed before its data file was created.
        var directory = new DirectoryInfo(layout.Upload(id));
        var data = new FileInfo(layout.UploadData(id));
        var lastWrite = data.Exists ? data.LastWriteTimeUtc : directory.LastWriteTimeUtc;
        if (!directory.Exists || lastWrite >= cutoff.UtcDateTime)
        {
            return summary with { UploadsKept = summary.UploadsKept + (directory.Exists ? 1 : 0) };
        }

        try
        {
            uploads.Cancel(id);
        }
        catch (IOException e)
        {
            reporter.Report(new MaintenanceEvent(MaintenanceEventKind.Warning, $"upload {id} could not be deleted: {e.Message}"));
            return summary with { Failures = summary.Failures + 1 };
        }

        var size = data.Exists ? data.Length : 0;
        reporter.Report(new MaintenanceEvent(
            MaintenanceEventKind.UploadPurged,
            $"deleted upload {id} ({size} bytes, last written {lastWrite:u})"));
        return summary with { UploadsPurged = summary.UploadsPurged + 1, BytesFreed = summary.BytesFreed + size };
    }

    private List<string> ListUploads()
    {
        var root = new DirectoryInfo(layout.UploadsRoot);
        return root.Exists
            ? root.EnumerateDirectories().Select(d => d.Name).Where(StorageLayout.IsUploadId).Order(StringComparer.Ordinal).ToList()
            : [];
    }
}
