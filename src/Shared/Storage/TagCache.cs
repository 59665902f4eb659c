using Microsoft.Extensions.Caching.Memory;
using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>
/// Where a tag points, for pulls: the tag file's content held in memory with the stamp of the file it came from,
/// and served again while one <c>stat</c> (shared, see <see cref="SharedStat"/>) still finds that very file.
/// A tag is moved or deleted by renaming or removing its file, so any change, by any instance, fails the
/// comparison and the file is read again: a pull never sees a tag older than the last acknowledged write.
/// </summary>
internal sealed class TagCache(StorageLayout layout, TagStore tags, IMemoryCache cache, SharedStat stats)
{
    // An entry's share of the cache's size limit: a key of up to a few hundred characters and a digest.
    private const int EntrySize = 512;

    /// <summary>
    /// The manifest the tag points at and whether the repository holds it (its revision exists), or null when the
    /// tag does not exist. With the tag held, both stats go in one shared round; otherwise the file is read.
    /// </summary>
    public async ValueTask<(Digest? Digest, bool Held)?> ResolveOrNullAsync(RepositoryName name, string tag, CancellationToken cancellationToken)
    {
        var key = Key(name, tag);
        var path = layout.TagLink(name, tag);
        if (cache.TryGetValue(key, out Entry? known) && known!.Digest is { } digest)
        {
            var (stamp, revision) = await stats.StatBothOrNullAsync(path, layout.ManifestRevision(name, digest), cancellationToken);
            if (stamp is null)
            {
                return null;
            }

            if (stamp == known.Stamp)
            {
                return (digest, revision is not null);
            }
        }
        else if (await stats.StatOrNullAsync(path, cancellationToken) is null)
        {
            return null;
        }

        // Read after the stat, and stamped from the handle it was read through: what is kept is exactly that file.
        if (tags.ReadStampedOrNull(name, tag) is not { } read)
        {
            return null;
        }

        if (read.Stamp is { } readStamp && readStamp.IsSettled(DateTimeOffset.UtcNow))
        {
            cache.Set(key, new Entry(readStamp, read.Digest), new MemoryCacheEntryOptions { Size = EntrySize, SlidingExpiration = TimeSpan.FromHours(1) });
        }

        return (read.Digest, read.Digest is { } found && await stats.StatOrNullAsync(layout.ManifestRevision(name, found), cancellationToken) is not null);
    }

    private static string Key(RepositoryName name, string tag) => $"tag:{name}:{tag}";

    private sealed record Entry(FileStamp Stamp, Digest? Digest);
}
