using NeonRegistry.Oci;

namespace NeonRegistry.Maintenance;

/// <summary>
/// Checks that every manifest revision, tag and referrers entry names content that is there and intact: what a pull
/// of each would need.
/// </summary>
internal sealed class RepositoryChecker(ManifestReader reader, VerificationTally tally)
{
    private const string Phase = "checking manifests";

    public async Task CheckAsync(StoreInventory inventory, CancellationToken cancellationToken)
    {
        var total = inventory.Repositories.Sum(r => r.Revisions.Count);
        var done = 0;
        foreach (var repository in inventory.Repositories)
        {
            foreach (var digest in repository.Revisions.Keys.OrderBy(d => d.ToString(), StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await CheckManifestAsync(inventory, repository, digest, cancellationToken);
                tally.Counts.ManifestsChecked++;
                tally.Reporter.Progress(new MaintenanceProgress(Phase, ++done, total));
            }

            CheckTags(repository);
            CheckReferrers(repository);
        }
    }

    private async Task CheckManifestAsync(StoreInventory inventory, RepositoryContents repository, Digest digest, CancellationToken cancellationToken)
    {
        var name = repository.Name;
        if (!Intact(inventory, digest, out var state))
        {
            if (state != "missing" || !tally.Options.CacheStore)
            {
                tally.Problem(MaintenanceEventKind.ContentMissing, $"manifest {name}@{digest}: its content is {state}", name, digest);
            }

            return;
        }

        var mediaType = await reader.RevisionMediaTypeOrNullAsync(name, digest, cancellationToken);
        var document = await reader.ReadOrNullAsync(digest, mediaType, cancellationToken);
        if (document is null)
        {
            tally.Problem(MaintenanceEventKind.Warning, $"manifest {name}@{digest}: its content is not a manifest of type {mediaType}", name, digest);
            return;
        }

        if (tally.Options.CacheStore)
        {
            return;
        }

        foreach (var child in document.Manifests.Select(c => Digest.Parse(c.Digest)).Where(c => !repository.Revisions.ContainsKey(c)))
        {
            tally.Problem(MaintenanceEventKind.ContentMissing, $"index {name}@{digest} names manifest {child}, which '{name}' does not hold", name, child);
        }

        foreach (var blob in document.IsIndex ? [] : document.References().Select(b => Digest.Parse(b.Digest)))
        {
            if (!Intact(inventory, blob, out var blobState))
            {
                tally.Problem(MaintenanceEventKind.ContentMissing, $"manifest {name}@{digest} names blob {blob}, which is {blobState}", name, blob);
            }
            else if (!repository.LayerLinks.Contains(blob))
            {
                tally.Problem(MaintenanceEventKind.ContentMissing, $"manifest {name}@{digest} names blob {blob}, which is not linked into '{name}', so pulls of it fail", name, blob);
            }
        }
    }

    private void CheckTags(RepositoryContents repository)
    {
        foreach (var (tag, digest) in repository.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            tally.Counts.TagsChecked++;
            if (digest is not { } target)
            {
                tally.Problem(MaintenanceEventKind.ContentMissing, $"tag {repository.Name}:{tag} holds no digest", repository.Name);
            }
            else if (!repository.Revisions.ContainsKey(target))
            {
                tally.Problem(MaintenanceEventKind.ContentMissing, $"tag {repository.Name}:{tag} points at {target}, which '{repository.Name}' does not hold", repository.Name, target);
            }
        }
    }

    private void CheckReferrers(RepositoryContents repository)
    {
        foreach (var (subject, referrers) in repository.Referrers)
        {
            foreach (var referrer in referrers.Where(r => !repository.Revisions.ContainsKey(r)))
            {
                tally.Problem(
                    MaintenanceEventKind.ContentMissing,
                    $"the referrers of {repository.Name}@{subject} list {referrer}, which '{repository.Name}' does not hold",
                    repository.Name,
                    referrer);
            }
        }
    }

    private bool Intact(StoreInventory inventory, Digest digest, out string state)
    {
        state = !inventory.Blobs.ContainsKey(digest) ? "missing" : tally.Corrupt.Contains(digest) ? "corrupt" : "intact";
        return state == "intact";
    }
}
