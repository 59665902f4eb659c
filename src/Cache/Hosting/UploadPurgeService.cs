using NeonRegistry.Configuration;
using NeonRegistry.Maintenance;
using NeonRegistry.Storage;

namespace NeonRegistry.Hosting;

/// <summary>
/// Purges abandoned uploads while the registry runs: once at start-up, then every hour, whatever is older than a day.
/// Every instance does it; purging is idempotent, so instances sharing a store do not get in each other's way.
/// A read-only instance writes nothing to the store, so it leaves this to the others (or to <c>purge-uploads</c>).
/// </summary>
internal sealed class UploadPurgeService(
    StorageLayout layout,
    UploadStore uploads,
    RegistryOptions options,
    TimeProvider clock,
    ILogger<UploadPurgeService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.ReadOnly)
        {
            return;
        }

        var purger = new UploadPurger(layout, uploads, clock);
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            do
            {
                Purge(purger, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private void Purge(UploadPurger purger, CancellationToken stoppingToken)
    {
        try
        {
            var summary = purger.Run(UploadPurger.DefaultMaximumAge, NullMaintenanceReporter.Instance, stoppingToken);
            if (summary.UploadsPurged > 0 || summary.Failures > 0)
            {
                logger.LogInformation(
                    "Purged {UploadsPurged} abandoned uploads ({BytesFreed} bytes), {Failures} could not be deleted, {UploadsKept} in progress",
                    summary.UploadsPurged,
                    summary.BytesFreed,
                    summary.Failures,
                    summary.UploadsKept);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next round tries again; serving goes on meanwhile.
            logger.LogWarning(e, "Purging abandoned uploads failed");
        }
    }
}
