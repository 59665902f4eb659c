using System.Text.Json;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Web;

/// <summary>
/// The store as a person browses it: repositories, their tags, and what each tag is. Reads only this instance's
/// store, never an upstream, so a cache's pages show what the cache holds and browsing costs no pull.
/// </summary>
internal sealed class StoreOverview(RepositoryCatalog catalog, TagStore tags, ManifestStore manifests, BlobStore blobs, ReferrersIndex referrers)
{
    // An image config is a few KiB; one that claims more is not read for a page (it could name a huge blob).
    private const long MaxConfigSize = 1024 * 1024;
    private const string OciImageConfig = "application/vnd.oci.image.config.v1+json";
    private const string DockerImageConfig = "application/vnd.docker.container.image.v1+json";

    public IReadOnlyList<string> Repositories() => catalog.List();

    /// <summary>Tag count, size and last update: only what the repositories page shows, one manifest read per tag.</summary>
    public async Task<RepositorySummary> SummarizeAsync(RepositoryName name, CancellationToken cancellationToken)
    {
        var names = tags.ListOrNull(name) ?? [];
        var sizes = new Dictionary<Digest, long>();
        DateTimeOffset? updated = null;
        foreach (var tag in names)
        {
            if (tags.ResolveOrNull(name, tag) is { } digest)
            {
                await CollectBlobsAsync(name, digest, sizes, cancellationToken);
            }

            if (tags.ConfirmedAtOrNull(name, tag) is { } at && (updated is null || at > updated))
            {
                updated = at;
            }
        }

        return new RepositorySummary(name.Value, names.Count, sizes.Values.Sum(), updated);
    }

    /// <summary>The repository's tags in ordinal order, or null when there is no such repository.</summary>
    public IReadOnlyList<string>? TagNamesOrNull(RepositoryName name) => tags.ListOrNull(name);

    /// <summary>What each of these tags names; a tag deleted meanwhile is left out.</summary>
    public async Task<IReadOnlyList<TagSummary>> SummarizeTagsAsync(RepositoryName name, IEnumerable<string> page, CancellationToken cancellationToken)
    {
        var summaries = new List<TagSummary>();
        foreach (var tag in page)
        {
            if (await SummarizeTagOrNullAsync(name, tag, cancellationToken) is { } summary)
            {
                summaries.Add(summary);
            }
        }

        return summaries;
    }

    private async Task<TagSummary?> SummarizeTagOrNullAsync(RepositoryName name, string tag, CancellationToken cancellationToken)
    {
        if (await manifests.GetOrNullAsync(name, Reference.Parse(tag), cancellationToken) is not { } manifest)
        {
            return null;
        }

        var document = ManifestDocument.Parse(manifest.Content, manifest.MediaType);
        // Counted as read: the tag's manifest is read and parsed once, here.
        var sizes = new Dictionary<Digest, long> { [manifest.Digest] = 0 };
        await CollectBlobsAsync(name, document, sizes, cancellationToken);
        var platforms = document.IsIndex
            ? document.Manifests.Select(child => PlatformOf(child.Platform)).OfType<string>().ToList()
            : [.. await ImagePlatformOrNullAsync(document, cancellationToken) is { } platform ? [platform] : Array.Empty<string>()];
        return new TagSummary(
            tag,
            manifest.Digest,
            document.MediaType,
            platforms,
            sizes.Values.Sum(),
            tags.ConfirmedAtOrNull(name, tag),
            await referrers.ListAsync(name, manifest.Digest, cancellationToken),
            document.Annotations ?? []);
    }

    /// <summary>The config and layers a manifest names, and those of an index's children the store holds.</summary>
    /// <param name="sizes">Each blob's size, and each manifest already read as 0, so an index naming a child many
    /// times (or another index) costs one read of it.</param>
    private async Task CollectBlobsAsync(RepositoryName name, Digest digest, Dictionary<Digest, long> sizes, CancellationToken cancellationToken)
    {
        if (sizes.TryAdd(digest, 0) && await manifests.GetOrNullAsync(name, Reference.Parse(digest.ToString()), cancellationToken) is { } manifest)
        {
            await CollectBlobsAsync(name, ManifestDocument.Parse(manifest.Content, manifest.MediaType), sizes, cancellationToken);
        }
    }

    private async Task CollectBlobsAsync(RepositoryName name, ManifestDocument document, Dictionary<Digest, long> sizes, CancellationToken cancellationToken)
    {
        foreach (var child in document.Manifests)
        {
            if (Digest.TryParse(child.Digest, out var childDigest))
            {
                await CollectBlobsAsync(name, childDigest, sizes, cancellationToken);
            }
        }

        foreach (var blob in document.Layers.Prepend(document.Config).OfType<Descriptor>())
        {
            if (Digest.TryParse(blob.Digest, out var blobDigest))
            {
                sizes[blobDigest] = blob.Size;
            }
        }
    }

    /// <summary>os/architecture from an image's config; null for an artifact, whose config is no image config.</summary>
    private async Task<string?> ImagePlatformOrNullAsync(ManifestDocument document, CancellationToken cancellationToken)
    {
        if (document.Config is not { MediaType: OciImageConfig or DockerImageConfig, Size: <= MaxConfigSize } config
            || !Digest.TryParse(config.Digest, out var digest)
            || await blobs.ReadOrNullAsync(digest, cancellationToken) is not { } content)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(content);
            return PlatformOf(json.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? PlatformOf(JsonElement? platform)
    {
        if (platform is not { ValueKind: JsonValueKind.Object } element
            || !element.TryGetProperty("os", out var os) || !element.TryGetProperty("architecture", out var architecture)
            || os.ValueKind != JsonValueKind.String || architecture.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var variant = element.TryGetProperty("variant", out var v) && v.ValueKind == JsonValueKind.String ? "/" + v.GetString() : "";
        return $"{os.GetString()}/{architecture.GetString()}{variant}";
    }
}
