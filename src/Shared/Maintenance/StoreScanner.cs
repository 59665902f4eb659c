using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Maintenance;

/// <summary>
/// Reads the store's directories into a <see cref="StoreInventory"/>, through <see cref="StorageLayout"/>'s walks:
/// a file counts as a blob or a link only where the layout would put that digest, so nothing stray is taken for content.
/// </summary>
internal sealed class StoreScanner(StorageLayout layout)
{
    // Hidden names (".tmp-") are skipped by the default options; the scanner sees them and decides itself.
    private static readonly EnumerationOptions Everything = new() { RecurseSubdirectories = true, AttributesToSkip = 0 };

    private readonly TagStore _tags = new(layout);

    public async Task<StoreInventory> ScanAsync(IMaintenanceReporter reporter, CancellationToken cancellationToken)
    {
        var blobs = new Dictionary<Digest, StoredFile>();
        foreach (var (digest, file) in Existing(layout.BlobFiles()))
        {
            cancellationToken.ThrowIfCancellationRequested();
            blobs[digest] = file;
            if (blobs.Count % 256 == 0)
            {
                reporter.Progress(new MaintenanceProgress("scanning blobs", blobs.Count, 0));
            }
        }

        var names = layout.Repositories(layout.HoldsLinks);
        var repositories = new List<RepositoryContents>(names.Count);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            repositories.Add(await ScanRepositoryAsync(name, cancellationToken));
            reporter.Progress(new MaintenanceProgress("scanning repositories", repositories.Count, names.Count));
        }

        var temps = FindTempFiles().ToLookup(t => StorageLayout.IsSetAside(Path.GetFileName(t.Path)));
        return new StoreInventory(blobs, repositories, temps[false].ToList(), temps[true].ToList());
    }

    private async Task<RepositoryContents> ScanRepositoryAsync(RepositoryName name, CancellationToken cancellationToken)
    {
        var contents = new RepositoryContents(name);
        foreach (var (digest, file) in Existing(layout.ManifestRevisionFiles(name)))
        {
            contents.Revisions[digest] = file.LastWrite;
        }

        foreach (var (digest, _) in Existing(layout.LayerLinkFiles(name)))
        {
            contents.LayerLinks.Add(digest);
        }

        foreach (var tag in _tags.ListOrNull(name) ?? [])
        {
            if (Tag.IsValid(tag))
            {
                contents.Tags[tag] = _tags.ResolveOrNull(name, tag);
            }
        }

        foreach (var (subject, referrers) in layout.ReferrerFiles(name))
        {
            contents.Referrers[subject] = Existing(referrers).Select(r => r.Digest).ToList();
        }

        return contents;
    }

    private List<StoredFile> FindTempFiles() =>
        new[] { layout.BlobsRoot, layout.RepositoriesRoot }
            .Where(Directory.Exists)
            .SelectMany(root => new DirectoryInfo(root).EnumerateFiles(AtomicFile.TempPrefix + "*", Everything))
            .Select(StoredFile.OrNull)
            .OfType<StoredFile>()
            .ToList();

    /// <summary>The files that still exist once listed (a push may rename or delete one meanwhile).</summary>
    private static IEnumerable<(Digest Digest, StoredFile File)> Existing(IEnumerable<(Digest Digest, FileInfo File)> files) =>
        files.Select(f => (f.Digest, Stored: StoredFile.OrNull(f.File))).Where(f => f.Stored is not null).Select(f => (f.Digest, f.Stored!));
}
