using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using NeonRegistry.Oci;

namespace NeonRegistry.Micro;

/// <summary>Parsing and checking a pushed or fetched manifest body.</summary>
[MemoryDiagnoser]
public class ManifestBenchmarks
{
    private byte[] _image = [];
    private byte[] _index = [];

    [GlobalSetup]
    public void Setup()
    {
        var seed = 0;
        string NextDigest() => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(seed++)));

        var layers = string.Join(",", Enumerable.Range(0, 3).Select(i => $$"""
            {"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{NextDigest()}}","size":{{3_145_728 * (i + 1) + 517}}}
            """));
        _image = Encoding.UTF8.GetBytes($$"""
            {
              "schemaVersion": 2,
              "mediaType": "{{MediaTypes.OciManifest}}",
              "config": {"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{NextDigest()}}","size":7023},
              "layers": [{{layers}}],
              "annotations": {"org.opencontainers.image.created":"2025-01-14T09:12:33Z","org.opencontainers.image.source":"https://example.com/acme/app"}
            }
            """);

        (string Arch, string? Variant)[] platforms = [("amd64", null), ("arm64", "v8"), ("arm", "v7"), ("ppc64le", null)];
        var manifests = string.Join(",", platforms.Select(p =>
        {
            var variant = p.Variant is null ? "" : $",\"variant\":\"{p.Variant}\"";
            return $$"""
                {"mediaType":"{{MediaTypes.OciManifest}}","digest":"{{NextDigest()}}","size":1049,"platform":{"architecture":"{{p.Arch}}","os":"linux"{{variant}} } }
                """;
        }));
        _index = Encoding.UTF8.GetBytes($$"""
            {
              "schemaVersion": 2,
              "mediaType": "{{MediaTypes.OciIndex}}",
              "manifests": [{{manifests}}]
            }
            """);

        // Fail at setup, not in the measured loop, if the documents are not what the registry accepts.
        if (ImageManifest().Layers.Count != 3 || IndexOfFour().Manifests.Count != 4)
        {
            throw new InvalidOperationException("benchmark manifests did not parse as intended");
        }
    }

    [Benchmark]
    public ManifestDocument ImageManifest() => ManifestDocument.Parse(_image, MediaTypes.OciManifest);

    [Benchmark]
    public ManifestDocument IndexOfFour() => ManifestDocument.Parse(_index, MediaTypes.OciIndex);
}
