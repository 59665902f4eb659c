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
    private const string OciImageConfig = "application/vnd.oci.image.config.v1+json";
    private const string DockerImageConfig = "application/vnd.docker.container.image.v1+json";

    public IReadOnlyList<string> Repositories() => catalog.List();

    public async Task<RepositorySummary> SummarizeAsync(RepositoryName name, CancellationToken cancellationToken)
    {
        var summaries = await TagsOrNullAsync(name, cancellationToken) ?? [];
        var sizes = new Dictionary<Digest, long>();
        foreach (var summary in summaries)
        {
            await CollectBlobsAsync(name, summary.Digest, sizes, cancellationToken);
        }

        return new RepositorySummary(name.Value, summaries.Count, sizes.Values.Sum(), summaries.Max(s => s.Updated));
    }

    /// <summary>Every tag of the repository with what it names, or null when there is no such repository.</summary>
    public async Task<IReadOnlyList<TagSummary>?> TagsOrNullAsync(RepositoryName name, CancellationToken cancellationToken)
    {
        if (tags.ListOrNull(name) is not { } names)
        {
            return null;
        }

        var summaries = new List<TagSummary>();
        foreach (var tag in names)
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
        var sizes = new Dictionary<Digest, long>();
        await CollectBlobsAsync(name, manifest.Digest, sizes, cancellationToken);
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
    private async Task CollectBlobsAsync(RepositoryName name, Digest digest, Dictionary<Digest, long> sizes, CancellationToken cancellationToken)
    {
        if (await manifests.GetOrNullAsync(name, Reference.Parse(digest.ToString()), cancellationToken) is not { } manifest)
        {
            return;
        }

        var document = ManifestDocument.Parse(manifest.Content, manifest.MediaType);
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
        if (document.Config is not { MediaType: OciImageConfig or DockerImageConfig } config
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
