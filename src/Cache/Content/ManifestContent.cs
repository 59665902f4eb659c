using NeonRegistry.Storage;

namespace NeonRegistry.Content;

/// <summary>A manifest to serve, and where it came from.</summary>
internal sealed record ManifestContent(StoredManifest Manifest, CacheStatus Status)
{
    /// <summary>The peer node that fetched or confirmed it, for X-Cache; null when the upstream or the cache did.</summary>
    public string? Via { get; init; }
}
