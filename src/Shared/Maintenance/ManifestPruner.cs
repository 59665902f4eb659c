using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Maintenance;

/// <summary>
/// Decides which manifest revisions each repository keeps and, with <see cref="GarbageCollectionOptions.DeleteUntagged"/>,
/// removes the rest. Without it every revision is kept. With it a revision is kept when a tag reaches it, directly, as a
/// child of a kept index or as a referrer of a kept manifest (recursively), or when it is within the grace period.
/// </summary>
internal sealed class ManifestPruner(StorageLayout layout, ManifestReader reader, GarbageCollectionTally tally)
{
    private const string Phase = "selecting manifests";

    /// <returns>Per repository, the manifests it keeps: where the mark starts.</returns>
    public async Task<Dictionary<RepositoryName, HashSet<Digest>>> RunAsync(StoreInventory inventory, CancellationToken cancellationToken)
    {
        var kept = new Dictionary<RepositoryName, HashSet<Digest>>();
        var total = inventory.Repositories.Sum(r => r.Revisions.Count);
        var done = 0;
        foreach (var repository in inventory.Repositories)
        {
            var keep = tally.Options.DeleteUntagged
                ? await ReachableAsync(repository, cancellationToken)
                : repository.Revisions.Keys.ToHashSet();
            foreach (var digest in repository.Revisions.Keys.OrderBy(d => d.ToString(), StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!keep.Contains(digest) && !Delete(repository, digest))
                {
                    keep.Add(digest);
                }

                tally.Reporter.Progress(new MaintenanceProgress(Phase, ++done, total));
            }

            tally.Counts.ManifestsKept += keep.Count(repository.Revisions.ContainsKey);
            kept[repository.Name] = keep;
        }

        return kept;
    }

    private async Task<HashSet<Digest>> ReachableAsync(RepositoryContents repository, CancellationToken cancellationToken)
    {
        var keep = new HashSet<Digest>();
        var recent = repository.Revisions.Where(r => r.Value >= tally.Cutoff).Select(r => r.Key);

        // With each digest, the media type the index that names it gives, for content that omits its own.
        var pending = new Queue<(Digest Digest, string? MediaType)>(
            repository.TaggedDigests.Where(repository.Revisions.ContainsKey).Concat(recent).Select(d => (d, (string?)null)));
        while (pending.TryDequeue(out var next))
        {
            var digest = next.Digest;
            if (!keep.Add(digest))
            {
                continue;
            }

            var mediaType = await reader.RevisionMediaTypeOrNullAsync(repository.Name, digest, cancellationToken) ?? next.MediaType;
            var document = await reader.ReadOrNullAsync(digest, mediaType, cancellationToken);
            if (document is null)
            {
                // What this manifest reaches is unknown, so nothing in the repository can be shown unreachable.
                tally.Report(new MaintenanceEvent(
                    MaintenanceEventKind.Warning,
                    $"manifest {repository.Name}@{digest} cannot be read (missing, corrupt or not a manifest), so no untagged manifest is deleted from '{repository.Name}'; run verify")
                {
                    Repository = repository.Name,
                    Digest = digest,
                });
                return [.. repository.Revisions.Keys, .. keep];
            }

            foreach (var child in document.Manifests)
            {
                pending.Enqueue((Digest.Parse(child.Digest), child.MediaType));
            }

            foreach (var referrer in repository.ReferrersOf(digest).Where(repository.Revisions.ContainsKey))
            {
                pending.Enqueue((referrer, null));
            }
        }

        return keep;
    }

    /// <returns>False when the revision was used since the cutoff and stays.</returns>
    private bool Delete(RepositoryContents repository, Digest digest)
    {
        var revision = layout.ManifestRevision(repository.Name, digest);
        var outcome = tally.DryRun ? DeleteOutcome.Deleted : GuardedDelete.DeleteIfUnusedSince(revision, tally.Cutoff);
        if (outcome != DeleteOutcome.Deleted)
        {
            // In use again (a push re-sent it) it stays; deleted by someone else, it is theirs to report.
            return outcome == DeleteOutcome.AlreadyGone;
        }

        tally.Counts.ManifestsDeleted++;
        tally.Report(new MaintenanceEvent(MaintenanceEventKind.ManifestDeleted, $"{tally.Deleted} manifest {repository.Name}@{digest}")
        {
            Repository = repository.Name,
            Digest = digest,
        });
        if (!tally.DryRun)
        {
            // After the revision, so an interruption leaves at worst a referrers entry the next run removes.
            foreach (var subject in repository.SubjectsReferredBy(digest))
            {
                if (GuardedDelete.DeleteLinkIfTargetAbsent(layout.ReferrerLink(repository.Name, subject, digest), revision))
                {
                    tally.Counts.LinksDeleted++;
                }
            }
        }

        return true;
    }
}
