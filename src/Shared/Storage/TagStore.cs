using System.Text;
using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>Tags: one small file per tag holding the digest it points at, replaced atomically when it moves.</summary>
public sealed class TagStore(StorageLayout layout)
{
    // A tag file holds one digest; the longest, sha512, is 135 characters.
    private const int MaxLinkLength = 256;

    /// <summary>The digest the tag points at, or null when the tag does not exist.</summary>
    /// <remarks>
    /// Every pull by tag reads this file, so it is one read into the stack: no stream, no decoder, and no hop to
    /// another thread for a few bytes that are almost always in the page cache.
    /// </remarks>
    public Digest? ResolveOrNull(RepositoryName name, string tag) => Read(name, tag, stamp: false)?.Digest;

    /// <summary>
    /// The digest the tag points at (null for a file that holds none), with the stamp of the very file it was read
    /// from; null when the tag does not exist.
    /// </summary>
    internal (Digest? Digest, FileStamp? Stamp)? ReadStampedOrNull(RepositoryName name, string tag) => Read(name, tag, stamp: true);

    private (Digest? Digest, FileStamp? Stamp)? Read(RepositoryName name, string tag, bool stamp)
    {
        var path = layout.TagLink(name, tag);
        Span<byte> content = stackalloc byte[MaxLinkLength];
        int length;
        FileStamp? read = null;
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stamp)
            {
                read = FileStamp.Of(file, path);
            }

            length = RandomAccess.Read(file, content, 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var digest = length < MaxLinkLength && Digest.TryParse(Encoding.ASCII.GetString(content[..length]), out var parsed) ? parsed : (Digest?)null;
        return (digest, read);
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
    public IReadOnlyList<string> FindPointingAt(RepositoryName name, Digest digest) =>
        (ListOrNull(name) ?? []).Where(tag => ResolveOrNull(name, tag) == digest).ToList();
}
