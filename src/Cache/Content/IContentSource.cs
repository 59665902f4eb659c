using NeonRegistry.Oci;

namespace NeonRegistry.Content;

/// <summary>
/// Where pulls are answered from: the seam between the two modes, chosen once at start-up. A primary registry
/// answers from its own store; a pull-through cache answers from its store and fetches misses upstream.
/// </summary>
internal interface IContentSource
{
    /// <summary>The manifest a tag or digest names, or null when it exists neither here nor (for a cache) upstream.</summary>
    /// <exception cref="RegistryException">Bad input, or (cache) an upstream that cannot answer: UNAVAILABLE, TOOMANYREQUESTS.</exception>
    Task<ManifestContent?> GetManifestOrNullAsync(RepositoryName name, Reference reference, CancellationToken cancellationToken);

    /// <summary>The blob, or null when it is not in the repository (nor, for a cache, upstream).</summary>
    /// <exception cref="RegistryException">As for manifests.</exception>
    Task<BlobContent?> GetBlobOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// The manifests that name <paramref name="subject"/> as their subject: a cache's include those the upstream
    /// knows and it has not fetched yet.
    /// </summary>
    Task<IReadOnlyList<Descriptor>> ListReferrersAsync(RepositoryName name, Digest subject, CancellationToken cancellationToken);

    /// <summary>
    /// What a HEAD needs: as <see cref="GetBlobOrNullAsync"/>, except that a cache answers a blob it neither holds
    /// nor is fetching from the upstream's HEAD (<see cref="BlobContent.AtUpstream"/>), without fetching it.
    /// </summary>
    /// <exception cref="RegistryException">As for manifests.</exception>
    Task<BlobContent?> HeadBlobOrNullAsync(RepositoryName name, Digest digest, CancellationToken cancellationToken);

    /// <summary>Every tag of the repository in ordinal order, or null when the repository is unknown.</summary>
    Task<TagListContent?> ListTagsOrNullAsync(RepositoryName name, CancellationToken cancellationToken);
}
