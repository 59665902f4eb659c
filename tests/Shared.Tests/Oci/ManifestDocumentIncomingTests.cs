using System.Text;
using NeonRegistry.Oci;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Oci;

/// <summary>What a pushed or fetched manifest must be beyond well-formed: one reading for every parser.</summary>
public sealed class ManifestDocumentIncomingTests
{
    private static readonly Descriptor Config = TestManifests.DescriptorOf(TestManifests.OciConfig, Encoding.UTF8.GetBytes("{}"));
    private static readonly Descriptor Layer = TestManifests.DescriptorOf(TestManifests.OciLayer, [1, 2, 3]);

    [Fact]
    public void ParseIncoming_WellFormedManifest_ParsesAsParseDoes()
    {
        var content = TestManifests.Image(Config, [Layer]);

        var document = ManifestDocument.ParseIncoming(content, MediaTypes.OciManifest);

        Assert.Equal(Config, document.Config);
        Assert.Equal(Layer, Assert.Single(document.Layers));
    }

    [Theory]
    // A known key twice: the registry would check the second config, a first-key parser pull the first.
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":CONFIG,"config":CONFIG,"layers":[]}""")]
    // A key the registry ignores, twice, nested in a descriptor: another client may act on either value.
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":CONFIG,"layers":[],"annotations":{"a":"1","a":"2"}}""")]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":CONFIG,"layers":[],"x-unknown":1,"x-unknown":2}""")]
    public void ParseIncoming_DuplicateKey_ThrowsManifestInvalid(string template)
    {
        var body = Encoding.UTF8.GetBytes(template.Replace("CONFIG", System.Text.Json.JsonSerializer.Serialize(Config)));
        // Without the incoming check the body is accepted, the last key winning.
        _ = ManifestDocument.Parse(body, MediaTypes.OciManifest);

        var error = Assert.Throws<RegistryException>(() => ManifestDocument.ParseIncoming(body, MediaTypes.OciManifest));

        Assert.Equal(OciErrorCode.ManifestInvalid, error.Code);
        Assert.Contains("repeats a key", error.Message);
    }

    [Fact]
    public void ParseIncoming_InvalidUtf8_ThrowsManifestInvalid()
    {
        var prefix = Encoding.UTF8.GetBytes("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":""" +
            System.Text.Json.JsonSerializer.Serialize(Config) + ""","layers":[],"annotations":{"a":" """.TrimEnd());
        byte[] body = [.. prefix, 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}}")];

        var error = Assert.Throws<RegistryException>(() => ManifestDocument.ParseIncoming(body, MediaTypes.OciManifest));

        Assert.Equal(OciErrorCode.ManifestInvalid, error.Code);
        Assert.Contains("UTF-8", error.Message);
    }
}
