using NeonRegistry.Storage;

namespace NeonRegistry.Content;

/// <summary>A manifest to serve, and where it came from.</summary>
internal sealed record ManifestContent(StoredManifest Manifest, CacheStatus Status);
