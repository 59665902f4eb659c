using NeonRegistry.Oci;

namespace NeonRegistry.Maintenance;

/// <summary>
/// A snapshot of the store taken at the start of a maintenance run. The store may change while the run goes on
/// (other instances keep serving), so every decision to delete is checked again on disk at the moment it is made.
/// </summary>
internal sealed class StoreInventory(
    IReadOnlyDictionary<Digest, StoredFile> blobs,
    IReadOnlyList<RepositoryContents> repositories,
    IReadOnlyList<StoredFile> tempFiles,
    IReadOnlyList<StoredFile> setAside)
{
    public IReadOnlyDictionary<Digest, StoredFile> Blobs { get; } = blobs;

    /// <summary>Repositories in ordinal order of name.</summary>
    public IReadOnlyList<RepositoryContents> Repositories { get; } = repositories;

    /// <summary>".tmp-" files under blobs/ and repositories/: writes that were interrupted or are in progress, set-aside files apart.</summary>
    public IReadOnlyList<StoredFile> TempFiles { get; } = tempFiles;

    /// <summary>Files a garbage collection took out of view to judge and did not finish with (see <see cref="GuardedDelete"/>).</summary>
    public IReadOnlyList<StoredFile> SetAside { get; } = setAside;

    public long BlobBytes => Blobs.Values.Sum(b => b.Size);

    /// <summary>Blobs in digest order, so runs over the same store report in the same order.</summary>
    public IEnumerable<KeyValuePair<Digest, StoredFile>> BlobsInOrder() =>
        Blobs.OrderBy(b => b.Key.ToString(), StringComparer.Ordinal);
}
