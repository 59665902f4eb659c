using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Maintenance;

/// <summary>
/// Reads the store's directories into a <see cref="StoreInventory"/>. A file counts as a blob or a link only when
/// <see cref="StorageLayout"/> would put that digest at exactly that path, so nothing stray is taken for content.
/// </summary>
internal sealed class StoreScanner(StorageLayout layout)
{
    // Hidden names (".tmp-") are skipped by the default options; the scanner sees them and decides itself.
    private static readonly EnumerationOptions Everything = new() { RecurseSubdirectories = true, AttributesToSkip = 0 };

    private readonly TagStore _tags = new(layout);

    public async Task<StoreInventory> ScanAsync(IMaintenanceReporter reporter, CancellationToken cancellationToken)
    {
        var blobs = new Dictionary<Digest, StoredFile>();
        foreach (var (digest, file) in DigestFiles(layout.BlobsRoot, layout.Blob))
        {
            cancellationToken.ThrowIfCancellationRequested();
            blobs[digest] = file;
            if (blobs.Count % 256 == 0)
            {
                reporter.Progress(new MaintenanceProgress("scanning blobs", blobs.Count, 0));
            }
        }

        var names = FindRepositories();
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
        foreach (var (digest, file) in DigestFiles(layout.RevisionsDirectory(name), d => layout.ManifestRevision(name, d)))
        {
            contents.Revisions[digest] = file.LastWrite;
        }

        foreach (var (digest, _) in DigestFiles(layout.LayersDirectory(name), d => layout.LayerLink(name, d)))
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

        foreach (var subjectDirectory in Subdirectories(layout.ReferrersRoot(name)).SelectMany(a => a.EnumerateDirectories()))
        {
            var algorithm = subjectDirectory.Parent!.Name;
            if (Digest.TryParse($"{algorithm}:{subjectDirectory.Name}", out var subject)
                && layout.ReferrersDirectory(name, subject) == subjectDirectory.FullName)
            {
                contents.Referrers[subject] = DigestFiles(subjectDirectory.FullName, r => layout.ReferrerLink(name, subject, r))
                    .Select(r => r.Digest)
                    .ToList();
            }
        }

        return contents;
    }

    /// <summary>Every repository, in ordinal order: each directory under repositories/ that holds links of any kind.</summary>
    private List<RepositoryName> FindRepositories()
    {
        var found = new List<RepositoryName>();
        var root = new DirectoryInfo(layout.RepositoriesRoot);
        if (root.Exists)
        {
            Collect(root, prefix: "", found);
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Value, b.Value));
        return found;
    }

    private void Collect(DirectoryInfo directory, string prefix, List<RepositoryName> found)
    {
        foreach (var child in directory.EnumerateDirectories())
        {
            // Underscore directories are a repository's own links; the name grammar keeps components from starting so.
            if (child.Name.StartsWith('_') || StorageLayout.IsHidden(child.Name))
            {
                continue;
            }

            var value = prefix + child.Name;
            if (RepositoryName.TryParse(value, out var name)
                && (Directory.Exists(layout.LayersDirectory(name)) || Directory.Exists(layout.ManifestsDirectory(name)) || Directory.Exists(layout.ReferrersRoot(name))))
            {
                found.Add(name);
            }

            Collect(child, value + "/", found);
        }
    }

    private List<StoredFile> FindTempFiles() =>
        new[] { layout.BlobsRoot, layout.RepositoriesRoot }
            .Where(Directory.Exists)
            .SelectMany(root => new DirectoryInfo(root).EnumerateFiles(AtomicFile.TempPrefix + "*", Everything))
            .Select(StoredFile.OrNull)
            .OfType<StoredFile>()
            .ToList();

    /// <summary>
    /// Files at <c>&lt;directory&gt;/&lt;alg&gt;/[...]/&lt;hex&gt;</c> whose digest the layout places exactly there,
    /// and that still exist once listed.
    /// </summary>
    private static IEnumerable<(Digest Digest, StoredFile File)> DigestFiles(string directory, Func<Digest, string> expectedPath)
    {
        foreach (var algorithm in Subdirectories(directory))
        {
            foreach (var file in algorithm.EnumerateFiles("*", Everything))
            {
                if (!StorageLayout.IsHidden(file.Name)
                    && Digest.TryParse($"{algorithm.Name}:{file.Name}", out var digest)
                    && expectedPath(digest) == file.FullName
                    && StoredFile.OrNull(file) is { } stored)
                {
                    yield return (digest, stored);
                }
            }
        }
    }

    private static IEnumerable<DirectoryInfo> Subdirectories(string directory)
    {
        var info = new DirectoryInfo(directory);
        return info.Exists ? info.EnumerateDirectories() : [];
    }
}
