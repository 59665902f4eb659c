using System.Text.Json;
using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>
/// For each subject digest, the descriptors of the manifests that name it as their <c>subject</c>
/// (distribution-spec: Listing Referrers). Kept as one file per referrer so that two instances adding
/// referrers to one subject never overwrite each other.
/// </summary>
public sealed class ReferrersIndex(StorageLayout layout)
{
    public Task AddAsync(RepositoryName name, Digest subject, Descriptor referrer, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(
            layout.ReferrerLink(name, subject, Digest.Parse(referrer.Digest)),
            JsonSerializer.SerializeToUtf8Bytes(referrer, OciJsonContext.Default.Descriptor),
            cancellationToken);

    public void Remove(RepositoryName name, Digest subject, Digest referrer)
    {
        var link = layout.ReferrerLink(name, subject, referrer);
        if (File.Exists(link))
        {
            File.Delete(link);
        }
    }

    /// <summary>The referrers of <paramref name="subject"/> in digest order; empty when there are none.</summary>
    public async Task<IReadOnlyList<Descriptor>> ListAsync(RepositoryName name, Digest subject, CancellationToken cancellationToken)
    {
        var directory = new DirectoryInfo(layout.ReferrersDirectory(name, subject));
        if (!directory.Exists)
        {
            return [];
        }

        var referrers = new List<Descriptor>();
        foreach (var file in directory.EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            if (StorageLayout.IsHidden(file.Name))
            {
                continue;
            }

            try
            {
                await using var stream = file.OpenRead();
                var descriptor = await JsonSerializer.DeserializeAsync(stream, OciJsonContext.Default.Descriptor, cancellationToken);
                if (descriptor is not null)
                {
                    referrers.Add(descriptor);
                }
            }
            catch (FileNotFoundException)
            {
                // Removed by a concurrent delete between listing and reading.
            }
        }

        return referrers;
    }
}
