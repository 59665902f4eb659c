using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NeonRegistry.Integration.Support;

/// <summary>Content a test generates for itself: random layers as real tar+gzip, image configs and manifests.</summary>
public static class TestContent
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    public static string DigestOf(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>The digest in the named algorithm, "sha256" or "sha512".</summary>
    public static string DigestOf(byte[] content, string algorithm) =>
        algorithm == "sha512" ? "sha512:" + Convert.ToHexStringLower(SHA512.HashData(content)) : DigestOf(content);

    public static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    /// <summary>A gzip-compressed tar holding one file of random bytes, and the digest of the uncompressed tar.</summary>
    public static (byte[] Layer, string DiffId) RandomLayer(int fileSize)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, $"data/{Guid.NewGuid():N}.bin")
            {
                DataStream = new MemoryStream(RandomBytes(fileSize)),
            };
            writer.WriteEntry(entry);
        }

        var uncompressed = tar.ToArray();
        using var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(uncompressed);
        }

        return (gz.ToArray(), DigestOf(uncompressed));
    }

    public static byte[] Config(IEnumerable<string> diffIds, string architecture = "amd64") =>
        Json(new
        {
            architecture,
            os = "linux",
            config = new { Env = new[] { "PATH=/usr/bin" } },
            rootfs = new { type = "layers", diff_ids = diffIds.ToArray() },
        });

    /// <param name="algorithm">The digest algorithm of the config and layer descriptors.</param>
    public static byte[] Manifest(
        string mediaType, string configMediaType, byte[] config, IEnumerable<(string MediaType, byte[] Content)> layers, object? subject = null, string? artifactType = null, string algorithm = "sha256") =>
        Json(new Dictionary<string, object?>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = mediaType,
            ["artifactType"] = artifactType,
            ["config"] = Descriptor(configMediaType, config, algorithm),
            ["layers"] = layers.Select(l => Descriptor(l.MediaType, l.Content, algorithm)).ToArray(),
            ["subject"] = subject,
        }.Where(p => p.Value is not null).ToDictionary());

    public static byte[] Index(string mediaType, IEnumerable<(string MediaType, byte[] Content, string Architecture)> manifests) =>
        Json(new
        {
            schemaVersion = 2,
            mediaType,
            manifests = manifests.Select(m => new
            {
                mediaType = m.MediaType,
                digest = DigestOf(m.Content),
                size = m.Content.Length,
                platform = new { architecture = m.Architecture, os = "linux" },
            }).ToArray(),
        });

    public static object Descriptor(string mediaType, byte[] content, string algorithm = "sha256") =>
        new { mediaType, digest = DigestOf(content, algorithm), size = content.Length };

    public static byte[] Json(object value) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value));
}
