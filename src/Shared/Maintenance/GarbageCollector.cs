using Microsoft.Win32.SafeHandles;
using NeonRegistry.Storage;

namespace NeonRegistry.Maintenance;

/// <summary>
/// Mark and sweep over the whole store. The mark starts from every kept manifest revision and every tag, in every
/// repository, and follows configs, layers and index children; the sweep deletes the blobs it did not reach. With
/// <see cref="GarbageCollectionOptions.DeleteUntagged"/>, revisions no tag reaches are removed first.
/// </summary>
/// <remarks>
/// <para>
/// Other instances may keep serving, and pushing, while this runs. Nothing written or used within the grace period
/// before the run started is deleted, and a push renews the modification time of every blob and child manifest it
/// names (<see cref="BlobStore.Touch"/>). A manifest pushed after the mark read its repository therefore only names
/// content that is either marked or too recent to delete; each delete re-checks that on disk, after taking the file
/// out of view (<see cref="GuardedDelete"/>).
/// </para>
/// <para>
/// Cancellation stops the run between two deletes. Each delete removes content before the links to it, so whatever
/// the moment, no tag, revision or referrer names something a kept manifest needs and that is gone; links left over
/// are removed by the next run.
/// </para>
/// </remarks>
public sealed class GarbageCollector(StorageLayout layout, TimeProvider clock)
{
    /// <returns>What was kept and deleted; <see cref="GarbageCollectionSummary.Interrupted"/> when cancelled.</returns>
    /// <exception cref="IOException">Another run, on this or another host sharing the store, has not finished.</exception>
    public async Task<GarbageCollectionSummary> RunAsync(GarbageCollectionOptions options, IMaintenanceReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Grace, TimeSpan.Zero, nameof(options));
        // A dry run only reads, and must leave the store exactly as it was: it takes no lock.
        using var runLock = options.DryRun ? null : await TakeRunLockAsync();
        if (!options.DryRun)
        {
            GuardedDelete.RestoreInterrupted(layout);
        }

        var started = clock.GetTimestamp();
        var tally = new GarbageCollectionTally(options, reporter, clock.GetUtcNow() - options.Grace);
        try
        {
            var inventory = await new StoreScanner(layout).ScanAsync(reporter, cancellationToken);
            var reader = new ManifestReader(layout);
            var kept = await new ManifestPruner(layout, reader, tally).RunAsync(inventory, cancellationToken);
            var marked = await new BlobMarker(reader, tally).MarkAsync(inventory, kept, cancellationToken);
            new BlobSweeper(layout, tally).Sweep(inventory, marked, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return tally.ToSummary(interrupted: true, clock.GetElapsedTime(started));
        }

        return tally.ToSummary(interrupted: false, clock.GetElapsedTime(started));
    }

    /// <summary>
    /// One deleting run at a time per store: two would each report what the other deleted, and an operator who starts a
    /// second run (a retry, a cron overlap) should hear that the first is still going.
    /// </summary>
    private async Task<SafeFileHandle> TakeRunLockAsync()
    {
        var file = File.OpenHandle(layout.GarbageCollectionLock, FileMode.OpenOrCreate, FileAccess.ReadWrite);
        if (await FileLock.TryLockExclusiveAsync(file, CancellationToken.None))
        {
            return file;
        }

        file.Dispose();
        throw new IOException($"another garbage-collect is running on this store (it holds {layout.GarbageCollectionLock}); wait for it to finish");
    }
}
