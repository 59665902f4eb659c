using NeonRegistry.Storage;

namespace NeonRegistry.Maintenance;

/// <summary>
/// Checks the whole store: re-hashes every blob against its digest, and checks that every manifest revision, tag and
/// referrers entry names content that is there and intact. With repair, corrupt blobs are moved into the quarantine
/// directory (<see cref="StorageLayout.QuarantinedBlob"/>), so that what needs them fails cleanly until a push, or a
/// cache fill, stores them again. Nothing else is changed.
/// </summary>
public sealed class StoreVerifier(StorageLayout layout, TimeProvider clock)
{
    public async Task<VerificationSummary> RunAsync(VerificationOptions options, IMaintenanceReporter reporter, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var tally = new VerificationTally(options, reporter);
        try
        {
            var inventory = await new StoreScanner(layout).ScanAsync(reporter, cancellationToken);
            foreach (var file in inventory.SetAside)
            {
                tally.Problem(
                    MaintenanceEventKind.ContentMissing,
                    $"{Path.GetRelativePath(layout.Root, file.Path)} was taken out of view by a garbage-collect that did not finish; run garbage-collect to put it back");
            }

            await new BlobChecker(layout, tally).CheckAsync(inventory, cancellationToken);
            await new RepositoryChecker(new ManifestReader(layout), tally).CheckAsync(inventory, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return tally.ToSummary(interrupted: true, clock.GetElapsedTime(started));
        }

        return tally.ToSummary(interrupted: false, clock.GetElapsedTime(started));
    }
}
