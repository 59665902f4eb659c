using NeonRegistry.Oci;

namespace NeonRegistry.Maintenance;

/// <summary>
/// The mark: every blob a kept manifest needs, in any repository. From each kept revision and each tag's target it
/// marks the manifest itself, its config and layers, and an index's children with everything they need in turn.
/// </summary>
/// <remarks>
/// A manifest whose content is there but corrupt might name anything. Rather than guess, the repository holding it
/// keeps every blob linked into it: a push links each blob into the repository before the manifest naming it is
/// accepted. A manifest whose content is missing (moved aside by verify --repair, evicted from a cache) cannot be
/// pulled at all, and a push or a cache fill of it brings back whatever it needs, so it marks nothing more.
/// </remarks>
internal sealed class BlobMarker(ManifestReader reader, GarbageCollectionTally tally)
{
    private const string Phase = "marking";

    private readonly HashSet<Digest> _marked = [];

    private readonly HashSet<Digest> _withoutContent = [];

    // Per manifest already visited, and the media type it was read as: whether everything it references is known.
    private readonly Dictionary<(Digest, string?), bool> _complete = [];

    public async Task<IReadOnlySet<Digest>> MarkAsync(
        StoreInventory inventory,
        IReadOnlyDictionary<RepositoryName, HashSet<Digest>> kept,
        CancellationToken cancellationToken)
    {
        var total = inventory.Repositories.Sum(r => kept[r.Name].Count(r.Revisions.ContainsKey));
        var done = 0;
        foreach (var repository in inventory.Repositories)
        {
            var complete = true;
            // Kept digests that are no revision here are children of a kept index, marked through it with the type it gives.
            var revisions = kept[repository.Name].Where(repository.Revisions.ContainsKey).OrderBy(d => d.ToString(), StringComparer.Ordinal).ToList();
            foreach (var digest in revisions)
            {
                cancellationToken.ThrowIfCancellationRequested();
                complete &= await MarkRevisionAsync(repository, digest, cancellationToken);
                tally.Reporter.Progress(new MaintenanceProgress(Phase, ++done, total));
            }

            // A tag whose manifest the repository lacks is broken, but what it names is kept all the same.
            foreach (var digest in repository.TaggedDigests)
            {
                await MarkManifestAsync(digest, mediaType: null, cancellationToken);
            }

            if (!complete)
            {
                _marked.UnionWith(repository.LayerLinks);
            }
        }

        return _marked;
    }

    private async Task<bool> MarkRevisionAsync(RepositoryContents repository, Digest digest, CancellationToken cancellationToken)
    {
        var mediaType = await reader.RevisionMediaTypeOrNullAsync(repository.Name, digest, cancellationToken);
        if (await MarkManifestAsync(digest, mediaType, cancellationToken))
        {
            return true;
        }

        tally.Report(new MaintenanceEvent(
            MaintenanceEventKind.Warning,
            $"manifest {repository.Name}@{digest} or a manifest it names is corrupt or not a manifest, so every blob linked into '{repository.Name}' is kept; run verify --repair")
        {
            Repository = repository.Name,
            Digest = digest,
        });
        return false;
    }

    /// <summary>Marks a manifest and all it references.</summary>
    /// <returns>False when some of it cannot be read, so not all its references are known.</returns>
    private async Task<bool> MarkManifestAsync(Digest digest, string? mediaType, CancellationToken cancellationToken)
    {
        _marked.Add(digest);
        if (_complete.TryGetValue((digest, mediaType), out var known))
        {
            return known;
        }

        // Content addressing rules out cycles; this entry only stops a manifest being walked twice.
        _complete[(digest, mediaType)] = true;
        var document = await reader.ReadOrNullAsync(digest, mediaType, cancellationToken);
        if (document is null && reader.IsMissing(digest) && _withoutContent.Add(digest))
        {
            tally.Counts.ManifestsWithoutContent++;
        }

        var complete = document is not null || reader.IsMissing(digest);
        if (document is not null)
        {
            foreach (var blob in document.Layers.Append(document.Config).OfType<Descriptor>())
            {
                _marked.Add(Digest.Parse(blob.Digest));
            }

            foreach (var child in document.Manifests)
            {
                complete &= await MarkManifestAsync(Digest.Parse(child.Digest), child.MediaType, cancellationToken);
            }
        }

        _complete[(digest, mediaType)] = complete;
        return complete;
    }
}
