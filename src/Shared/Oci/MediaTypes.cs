namespace NeonRegistry.Oci;

/// <summary>The manifest media types the registry accepts, and the layer types it never expects to hold.</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    public static bool IsManifest(string mediaType) => mediaType is OciManifest or DockerManifest;

    public static bool IsIndex(string mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsSupported(string mediaType) => IsManifest(mediaType) || IsIndex(mediaType);

    /// <summary>
    /// Layers that live outside the registry (Windows base layers, image-spec "non-distributable"):
    /// a manifest may name them without the registry holding them.
    /// </summary>
    public static bool IsForeignLayer(string mediaType) =>
        mediaType.StartsWith("application/vnd.docker.image.rootfs.foreign.", StringComparison.Ordinal)
        || mediaType.StartsWith("application/vnd.oci.image.layer.nondistributable.", StringComparison.Ordinal);
}
