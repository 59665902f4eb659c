using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>Tags: one small file per tag holding the digest it points at, replaced atomically when it moves.</summary>
public sealed class TagStore(StorageLayout layout)
{
    /// <summary>The digest the tag points at, or null when the tag does not exist.</summary>
    public async Task<Digest?> ResolveOrNullAsync(RepositoryName name, string tag, CancellationToken cancellationToken)
    {
        try
        {
            var content = await File.ReadAllTextAsync(layout.TagLink(name, tag), cancellationToken);
            return Digest.TryParse(content, out var digest) ? digest : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public Task SetAsync(RepositoryName name, string tag, Digest digest, CancellationToken cancellationToken) =>
        AtomicFile.WriteTextAsync(layout.TagLink(name, tag), digest.ToString(), cancellationToken);

    /// <summary>
    /// When the tag was last written or confirmed: a pull-through cache serves a tag without asking the upstream
    /// while this is recent. Kept as the file's modification time, so it is shared like everything else.
    /// </summary>
    public DateTimeOffset? ConfirmedAtOrNull(RepositoryName name, string tag)
    {
        var file = new FileInfo(layout.TagLink(name, tag));
        return file.Exists ? file.LastWriteTimeUtc : null;
    }

    /// <summary>Records that the upstream still points the tag at the same digest.</summary>
    public void MarkConfirmed(RepositoryName name, string tag, DateTimeOffset now)
    {
        try
        {
            File.SetLastWriteTimeUtc(layout.TagLink(name, tag), now.UtcDateTime);
        }
        catch (FileNotFoundException)
        {
            // Deleted meanwhile: the next request fetches it again.
        }
    }

    /// <returns>False when the tag did not exist.</returns>
    public bool Delete(RepositoryName name, string tag)
    {
        var link = layout.TagLink(name, tag);
        if (!File.Exists(link))
        {
            return false;
        }

        File.Delete(link);
        return true;
    }

    /// <summary>The repository's tags in ordinal order, or null when the repository has never had a manifest.</summary>
    public IReadOnlyList<string>? ListOrNull(RepositoryName name)
    {
        if (!Directory.Exists(layout.ManifestsDirectory(name)))
        {
            return null;
        }

        var directory = new DirectoryInfo(layout.TagsDirectory(name));
        if (!directory.Exists)
        {
            return [];
        }

        var tags = directory.EnumerateFiles()
            .Select(f => f.Name)
            .Where(n => !StorageLayout.IsHidden(n))
            .ToList();
        tags.Sort(StringComparer.Ordinal);
        return tags;
    }

    /// <summary>The tags that point at <paramref name="digest"/>, so deleting a manifest can take its tags with it.</summary>
    public async Task<IReadOnlyList<string>> FindPointingAtAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        foreach (var tag in ListOrNull(name) ?? [])
        {
            if (await ResolveOrNullAsync(name, tag, cancellationToken) == digest)
            {
                found.Add(tag);
            }
        }

        return found;
    }
}
