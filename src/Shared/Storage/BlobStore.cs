using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>
/// Content-addressed blobs, shared by all repositories, and the per-repository links that make a blob visible
/// in a repository. A blob is only ever reached through a link: pushing or mounting it is what creates one.
/// </summary>
public sealed class BlobStore(StorageLayout layout, TimeProvider clock)
{
    private readonly SharedStat _stats = new();
    private readonly FileTouch _touch = new(clock);

    /// <summary>The committed blob as seen from <paramref name="name"/>, or null when it is not visible there.</summary>
    public BlobInfo? FindOrNull(RepositoryName name, Digest digest)
    {
        if (!File.Exists(layout.LayerLink(name, digest)))
        {
            return null;
        }

        var file = new FileInfo(layout.Blob(digest));
        return file.Exists ? new BlobInfo(digest, file.FullName, file.Length) : null;
    }

    /// <summary>
    /// For downloads: <see cref="FindOrNull"/>, with its two stats, taken together, shared by the downloads that arrived
    /// before they began (<see cref="SharedStat"/>), so a blob deleted or unlinked by another instance is never found.
    /// </summary>
    public async ValueTask<BlobInfo?> FindForDownloadOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken)
    {
        if (!FileStamp.IsSupported)
        {
            return FindOrNull(name, digest);
        }

        // Both in one shared round: a download waits for one round of stats, not two in a row.
        var path = layout.Blob(digest);
        var (link, blob) = await _stats.StatBothOrNullAsync(layout.LayerLink(name, digest), path, cancellationToken);
        return link is not null && blob is { } found ? new BlobInfo(digest, path, found.Size) : null;
    }

    /// <summary>True when the registry holds the blob at all, in any repository.</summary>
    /// <summary>Begins taking in <paramref name="digest"/>: creates its empty temp file beside the blob's final place.</summary>
    /// <param name="origin">Who sends the blob, for messages: "the upstream", "the client".</param>
    public BlobIntake BeginIntake(Digest digest, long? length, string origin) => new(this, digest, length, origin, layout.Blob(digest));

    public bool Exists(Digest digest) => File.Exists(layout.Blob(digest));

    /// <summary>Makes a committed blob visible in a repository, and renews its age (see <see cref="Touch"/>). Idempotent.</summary>
    public void Link(RepositoryName name, Digest digest)
    {
        Touch(digest);
        var link = layout.LayerLink(name, digest);
        if (!File.Exists(link))
        {
            // An empty marker: its existence is the whole state, so creating it is already atomic.
            var directory = Path.GetDirectoryName(link)!;
            Directory.CreateDirectory(directory);
            new FileStream(link, FileMode.OpenOrCreate, FileAccess.Write).Dispose();
            DirectorySync.Flush(directory);
        }
    }

    /// <summary>Removes a blob from a repository's view; the content stays for GC to judge.</summary>
    /// <returns>False when the blob was not visible in the repository.</returns>
    public bool Unlink(RepositoryName name, Digest digest)
    {
        var link = layout.LayerLink(name, digest);
        if (!File.Exists(link))
        {
            return false;
        }

        File.Delete(link);
        return true;
    }

    /// <summary>
    /// Moves a complete, verified file into the content-addressed store. Two writers of one digest race
    /// harmlessly: both hold the same bytes, and the rename replaces one with the other.
    /// </summary>
    public void Commit(string verifiedFile, Digest digest)
    {
        if (Touch(digest))
        {
            File.Delete(verifiedFile);
            return;
        }

        // The rename keeps the upload's time of last write, which may be long past for an upload finished late:
        // renewed first, so garbage collection never sees the blob published but old.
        _touch.Renew(verifiedFile);
        AtomicFile.Publish(verifiedFile, layout.Blob(digest));
    }

    /// <summary>
    /// Records that the blob is in use now, as its modification time. Garbage collection deletes only blobs unused
    /// for its whole grace period, so a push that reuses an old blob while GC runs keeps it.
    /// </summary>
    /// <returns>False when the blob does not exist.</returns>
    public bool Touch(Digest digest) => _touch.TryRenew(layout.Blob(digest));

    /// <summary>
    /// Records that a blob was served, as its access time, for a cache's least-recently-used eviction.
    /// </summary>
    /// <returns>False when the blob is gone (evicted a moment ago); true when the store merely refused the write.</returns>
    public bool TryMarkUsed(BlobInfo blob) => _touch.TryMarkRead(blob.Path);

    /// <summary>Stores small, already-verified content (a manifest) under its digest.</summary>
    public async Task PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (!Touch(digest))
        {
            await AtomicFile.WriteAsync(layout.Blob(digest), content, cancellationToken);
        }
    }

    /// <summary>Reads small content (a manifest) whole; null when the blob is gone.</summary>
    public async Task<byte[]?> ReadOrNullAsync(Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(layout.Blob(digest), cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
