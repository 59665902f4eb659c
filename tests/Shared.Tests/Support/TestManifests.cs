using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NeonRegistry.Oci;

namespace NeonRegistry.Tests.Support;

/// <summary>Manifest and index bodies built from descriptors, serialized the way clients send them.</summary>
public static class TestManifests
{
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    public static Descriptor DescriptorOf(string mediaType, byte[] content, string algorithm = Digest.Sha256) =>
        new(mediaType, Digest.Compute(content, algorithm).ToString(), content.Length);

    /// <summary>A descriptor for content the store does not hold.</summary>
    public static Descriptor Absent(string mediaType) =>
        DescriptorOf(mediaType, RandomNumberGenerator.GetBytes(16));

    public static byte[] Image(
        Descriptor config,
        IEnumerable<Descriptor> layers,
        string mediaType = MediaTypes.OciManifest,
        Descriptor? subject = null,
        string? artifactType = null,
        Dictionary<string, string>? annotations = null) =>
        Json(new Dictionary<string, object?>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = mediaType,
            ["artifactType"] = artifactType,
            ["config"] = config,
            ["layers"] = layers.ToArray(),
            ["subject"] = subject,
            ["annotations"] = annotations,
        });

    public static byte[] Index(IEnumerable<Descriptor> manifests, string mediaType = MediaTypes.OciIndex, Descriptor? subject = null) =>
        Json(new Dictionary<string, object?>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = mediaType,
            ["manifests"] = manifests.ToArray(),
            ["subject"] = subject,
        });

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Json(Dictionary<string, object?> fields) =>
        JsonSerializer.SerializeToUtf8Bytes(fields.Where(f => f.Value is not null).ToDictionary());
}
