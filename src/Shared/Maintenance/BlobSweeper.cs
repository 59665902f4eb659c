using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Maintenance;

/// <summary>
/// The sweep: deletes blobs the mark did not reach and that nothing has written or used within the grace period,
/// then the repository links to them, links to content that is gone, and old temp files.
/// </summary>
internal sealed class BlobSweeper(StorageLayout layout, GarbageCollectionTally tally)
{
    public void Sweep(StoreInventory inventory, IReadOnlySet<Digest> marked, CancellationToken cancellationToken)
    {
        var linkedFrom = inventory.Repositories
            .SelectMany(r => r.LayerLinks.Select(digest => (digest, r.Name)))
            .ToLookup(l => l.digest, l => l.Name);
        var done = 0;
        foreach (var (digest, blob) in inventory.BlobsInOrder())
        {
            cancellationToken.ThrowIfCancellationRequested();
            tally.Reporter.Progress(new MaintenanceProgress("sweeping blobs", ++done, inventory.Blobs.Count));
            if (marked.Contains(digest))
            {
                tally.Counts.BlobsKept++;
            }
            else if (Delete(digest, blob))
            {
                // The blob first, its links after: a link whose blob turns out to be in use again must stay.
                DeleteLinks(digest, linkedFrom[digest]);
            }
        }

        DeleteDanglingLinks(inventory, marked, cancellationToken);
        DeleteTempFiles(inventory, cancellationToken);
    }

    private bool Delete(Digest digest, StoredFile blob)
    {
        var outcome = blob.LastWrite >= tally.Cutoff ? DeleteOutcome.InUse
            : tally.DryRun ? DeleteOutcome.Deleted
            : GuardedDelete.DeleteIfUnusedSince(blob.Path, tally.Cutoff);
        if (outcome == DeleteOutcome.InUse)
        {
            tally.Counts.BlobsKept++;
            tally.Counts.BlobsWithinGrace++;
            return false;
        }

        if (outcome == DeleteOutcome.Deleted)
        {
            tally.Counts.BlobsDeleted++;
            tally.Counts.BytesFreed += blob.Size;
            tally.Report(new MaintenanceEvent(MaintenanceEventKind.BlobDeleted, $"{tally.Deleted} blob {digest} ({blob.Size} bytes)") { Digest = digest });
        }

        return true;
    }

    private void DeleteLinks(Digest digest, IEnumerable<RepositoryName> repositories)
    {
        foreach (var repository in repositories)
        {
            if (tally.DryRun || GuardedDelete.DeleteLinkIfTargetAbsent(layout.LayerLink(repository, digest), layout.Blob(digest)))
            {
                tally.Counts.LinksDeleted++;
            }
        }
    }

    /// <summary>
    /// Links left naming content that is gone: an interrupted earlier run deleted the blob or revision but not yet
    /// its links. Links to a missing blob a kept manifest needs stay, so verify keeps reporting it until it is pushed again.
    /// </summary>
    private void DeleteDanglingLinks(StoreInventory inventory, IReadOnlySet<Digest> marked, CancellationToken cancellationToken)
    {
        foreach (var repository in inventory.Repositories)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = repository.Name;
            var layers = repository.LayerLinks
                .Where(d => !inventory.Blobs.ContainsKey(d) && !marked.Contains(d))
                .Select(d => (Link: layout.LayerLink(name, d), Target: layout.Blob(d), What: $"blob {d}"));
            var referrers = repository.Referrers
                .SelectMany(s => s.Value.Where(r => !repository.Revisions.ContainsKey(r)).Select(r => (Subject: s.Key, Referrer: r)))
                .Select(p => (Link: layout.ReferrerLink(name, p.Subject, p.Referrer), Target: layout.ManifestRevision(name, p.Referrer), What: $"referrer {p.Referrer} of {p.Subject}"));
            foreach (var (link, target, what) in layers.Concat(referrers))
            {
                if (tally.DryRun ? !File.Exists(target) : GuardedDelete.DeleteLinkIfTargetAbsent(link, target))
                {
                    tally.Counts.LinksDeleted++;
                    tally.Report(new MaintenanceEvent(MaintenanceEventKind.LinkDeleted, $"{tally.Deleted} link in '{name}' to {what}, which is gone") { Repository = name });
                }
            }
        }
    }

    private void DeleteTempFiles(StoreInventory inventory, CancellationToken cancellationToken)
    {
        var done = 0;
        foreach (var temp in inventory.TempFiles)
        {
            cancellationToken.ThrowIfCancellationRequested();
            tally.Reporter.Progress(new MaintenanceProgress("removing temp files", ++done, inventory.TempFiles.Count));
            if (temp.LastWrite >= tally.Cutoff)
            {
                continue;
            }

            if (tally.DryRun || GuardedDelete.DeleteIfUnusedSince(temp.Path, tally.Cutoff) == DeleteOutcome.Deleted)
            {
                tally.Counts.TempFilesDeleted++;
                tally.Report(new MaintenanceEvent(
                    MaintenanceEventKind.TempFileDeleted,
                    $"{tally.Deleted} temp file {Path.GetRelativePath(layout.Root, temp.Path)} ({temp.Size} bytes)"));
            }
        }
    }
}
