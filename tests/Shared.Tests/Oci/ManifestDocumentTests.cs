using System.Text;
using NeonRegistry.Oci;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Oci;

public sealed class ManifestDocumentTests
{
    private static readonly Descriptor Config = TestManifests.DescriptorOf(TestManifests.OciConfig, Encoding.UTF8.GetBytes("{}"));
    private static readonly Descriptor Layer = TestManifests.DescriptorOf(TestManifests.OciLayer, [1, 2, 3]);
    private static readonly string ValidDigest = Layer.Digest;

    [Fact]
    public void Parse_OciManifest_ReadsConfigAndLayers()
    {
        var content = TestManifests.Image(Config, [Layer]);

        var document = ManifestDocument.Parse(content, MediaTypes.OciManifest);

        Assert.Equal(MediaTypes.OciManifest, document.MediaType);
        Assert.False(document.IsIndex);
        Assert.Equal(Config, document.Config);
        Assert.Equal(Layer, Assert.Single(document.Layers));
        Assert.Empty(document.Manifests);
        Assert.Null(document.Subject);
    }

    [Fact]
    public void Parse_OciIndex_ReadsManifests()
    {
        var child = TestManifests.DescriptorOf(MediaTypes.OciManifest, TestManifests.Image(Config, [Layer]));
        var content = TestManifests.Index([child]);

        var document = ManifestDocument.Parse(content, MediaTypes.OciIndex);

        Assert.True(document.IsIndex);
        Assert.Null(document.Config);
        Assert.Empty(document.Layers);
        Assert.Equal(child.Digest, Assert.Single(document.Manifests).Digest);
    }

    [Fact]
    public void Parse_DockerManifest_ReadsConfigAndLayers()
    {
        var config = TestManifests.DescriptorOf(TestManifests.DockerConfig, [9]);
        var layer = TestManifests.DescriptorOf(TestManifests.DockerLayer, [8]);
        var content = TestManifests.Image(config, [layer], MediaTypes.DockerManifest);

        var document = ManifestDocument.Parse(content, MediaTypes.DockerManifest);

        Assert.Equal(MediaTypes.DockerManifest, document.MediaType);
        Assert.False(document.IsIndex);
        Assert.Equal(config, document.Config);
        Assert.Equal(layer, Assert.Single(document.Layers));
    }

    [Fact]
    public void Parse_DockerManifestList_ReadsManifests()
    {
        var amd64 = TestManifests.DescriptorOf(MediaTypes.DockerManifest, [1]);
        var arm64 = TestManifests.DescriptorOf(MediaTypes.DockerManifest, [2]);
        var content = TestManifests.Index([amd64, arm64], MediaTypes.DockerManifestList);

        var document = ManifestDocument.Parse(content, MediaTypes.DockerManifestList);

        Assert.True(document.IsIndex);
        Assert.Equal([amd64.Digest, arm64.Digest], document.Manifests.Select(m => m.Digest));
    }

    [Fact]
    public void Parse_MediaTypeOnlyInContentType_UsesContentType()
    {
        var content = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"config":{"mediaType":"{{TestManifests.OciConfig}}","digest":"{{ValidDigest}}","size":3},"layers":[]}
            """);

        var document = ManifestDocument.Parse(content, MediaTypes.OciManifest);

        Assert.Equal(MediaTypes.OciManifest, document.MediaType);
    }

    [Fact]
    public void Parse_MediaTypeOnlyInBody_UsesBody()
    {
        var document = ManifestDocument.Parse(TestManifests.Image(Config, [Layer]), contentType: null);

        Assert.Equal(MediaTypes.OciManifest, document.MediaType);
    }

    [Fact]
    public void Parse_ContentTypeWithParameters_ComparesTheBareType()
    {
        var document = ManifestDocument.Parse(TestManifests.Image(Config, [Layer]), MediaTypes.OciManifest + "; charset=utf-8");

        Assert.Equal(MediaTypes.OciManifest, document.MediaType);
    }

    [Theory]
    [InlineData(MediaTypes.OciIndex)]
    [InlineData(MediaTypes.DockerManifest)]
    [InlineData("application/json")]
    public void Parse_MediaTypeDisagreesWithContentType_ThrowsManifestInvalid(string contentType)
    {
        AssertInvalid(TestManifests.Image(Config, [Layer]), contentType);
    }

    [Fact]
    public void Parse_NoMediaTypeAnywhere_ThrowsManifestInvalid()
    {
        AssertInvalid($$"""{"schemaVersion":2,"config":{{Json(Config)}},"layers":[]}""", contentType: null);
    }

    [Theory]
    [InlineData("application/vnd.docker.distribution.manifest.v1+json")]
    [InlineData("application/vnd.docker.distribution.manifest.v1+prettyjws")]
    [InlineData("application/vnd.oci.artifact.manifest.v1+json")]
    [InlineData("application/json")]
    public void Parse_UnsupportedMediaType_ThrowsManifestInvalid(string mediaType)
    {
        AssertInvalid(TestManifests.Image(Config, [Layer], mediaType), mediaType);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("{\"schemaVersion\":\"2\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":{}}")]
    public void Parse_NotJsonOfAManifest_ThrowsManifestInvalid(string body)
    {
        AssertInvalid(body, MediaTypes.OciManifest);
    }

    [Theory]
    [InlineData("\"schemaVersion\":1,")]
    [InlineData("\"schemaVersion\":3,")]
    [InlineData("")]
    public void Parse_SchemaVersionNot2_ThrowsManifestInvalid(string schemaVersion)
    {
        AssertInvalid($$"""{{{schemaVersion}}"mediaType":"{{MediaTypes.OciManifest}}","config":{{Json(Config)}},"layers":[]}""", MediaTypes.OciManifest);
    }

    [Theory]
    [InlineData(MediaTypes.OciManifest)]
    [InlineData(MediaTypes.DockerManifest)]
    public void Parse_ManifestWithoutConfig_ThrowsManifestInvalid(string mediaType)
    {
        AssertInvalid($$"""{"schemaVersion":2,"mediaType":"{{mediaType}}","layers":[{{Json(Layer)}}]}""", mediaType);
    }

    [Fact]
    public void Parse_IndexWithConfig_ThrowsManifestInvalid()
    {
        AssertInvalid($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","config":{{Json(Config)}},"manifests":[]}""", MediaTypes.OciIndex);
    }

    [Fact]
    public void Parse_IndexWithLayers_ThrowsManifestInvalid()
    {
        AssertInvalid($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","layers":[{{Json(Layer)}}],"manifests":[]}""", MediaTypes.OciIndex);
    }

    [Theory]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("sha256:abc")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha256:../../../../../../../../../../../../../../../../../../../../etc/pa")]
    [InlineData("")]
    public void Parse_BadLayerDigest_ThrowsManifestInvalid(string digest)
    {
        AssertInvalid(TestManifests.Image(Config, [Layer with { Digest = digest }]), MediaTypes.OciManifest);
    }

    [Fact]
    public void Parse_BadConfigDigest_ThrowsManifestInvalid()
    {
        AssertInvalid(TestManifests.Image(Config with { Digest = "sha256:1234" }, [Layer]), MediaTypes.OciManifest);
    }

    [Fact]
    public void Parse_BadSubjectDigest_ThrowsManifestInvalid()
    {
        var subject = new Descriptor(MediaTypes.OciManifest, "sha256:not-hex", 10);

        AssertInvalid(TestManifests.Image(Config, [Layer], subject: subject), MediaTypes.OciManifest);
    }

    [Fact]
    public void Parse_BadIndexChildDigest_ThrowsManifestInvalid()
    {
        var child = new Descriptor(MediaTypes.OciManifest, "sha512:abc", 10);

        AssertInvalid(TestManifests.Index([child]), MediaTypes.OciIndex);
    }

    [Fact]
    public void Parse_DescriptorWithoutDigest_ThrowsManifestInvalid()
    {
        AssertInvalid(
            $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{{Json(Config)}},"layers":[{"mediaType":"{{TestManifests.OciLayer}}","size":3}]}""",
            MediaTypes.OciManifest);
    }

    [Fact]
    public void Parse_DescriptorWithoutMediaType_ThrowsManifestInvalid()
    {
        AssertInvalid(
            $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{{Json(Config)}},"layers":[{"digest":"{{ValidDigest}}","size":3}]}""",
            MediaTypes.OciManifest);
    }

    [Fact]
    public void Parse_NegativeSize_ThrowsManifestInvalid()
    {
        AssertInvalid(TestManifests.Image(Config, [Layer with { Size = -1 }]), MediaTypes.OciManifest);
    }

    [Theory]
    [InlineData("layers")]
    [InlineData("manifests")]
    public void Parse_NullDescriptorInList_ThrowsManifestInvalid(string field)
    {
        // A null entry names no content; accepting it would fail later, outside the error model.
        var mediaType = field == "layers" ? MediaTypes.OciManifest : MediaTypes.OciIndex;
        var config = field == "layers" ? $"\"config\":{Json(Config)}," : "";

        AssertInvalid($$"""{"schemaVersion":2,"mediaType":"{{mediaType}}",{{config}}"{{field}}":[null]}""", mediaType);
    }

    [Fact]
    public void Parse_ArtifactTypeSet_UsesIt()
    {
        var document = ManifestDocument.Parse(
            TestManifests.Image(Config, [Layer], artifactType: "application/vnd.example.sbom"),
            MediaTypes.OciManifest);

        Assert.Equal("application/vnd.example.sbom", document.ArtifactType);
    }

    [Fact]
    public void Parse_ArtifactTypeMissing_FallsBackToConfigMediaType()
    {
        var config = Config with { MediaType = "application/vnd.example.signature.config+json" };

        var document = ManifestDocument.Parse(TestManifests.Image(config, [Layer]), MediaTypes.OciManifest);

        Assert.Equal("application/vnd.example.signature.config+json", document.ArtifactType);
    }

    [Fact]
    public void Parse_ArtifactTypeEmpty_FallsBackToConfigMediaType()
    {
        // distribution-spec, Listing Referrers: "If the artifactType is empty or missing in the image manifest,
        // the value of artifactType MUST be set to the config descriptor mediaType value."
        var document = ManifestDocument.Parse(TestManifests.Image(Config, [Layer], artifactType: ""), MediaTypes.OciManifest);

        Assert.Equal(TestManifests.OciConfig, document.ArtifactType);
    }

    [Fact]
    public void Parse_IndexWithoutArtifactType_HasNone()
    {
        var document = ManifestDocument.Parse(TestManifests.Index([Layer with { MediaType = MediaTypes.OciManifest }]), MediaTypes.OciIndex);

        Assert.Null(document.ArtifactType);
    }

    [Fact]
    public void Parse_IndexWithEmptyArtifactType_HasNone()
    {
        // Listing Referrers: "If the artifactType is empty or missing in an index, the artifactType MUST be omitted."
        var document = ManifestDocument.Parse(
            Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","artifactType":"","manifests":[]}"""),
            MediaTypes.OciIndex);

        Assert.Null(document.ArtifactType);
    }

    [Fact]
    public void Parse_SubjectAndAnnotations_AreRead()
    {
        var subject = TestManifests.DescriptorOf(MediaTypes.OciManifest, [7, 7]);
        var annotations = new Dictionary<string, string> { ["org.opencontainers.image.created"] = "2024-01-01T00:00:00Z" };

        var document = ManifestDocument.Parse(
            TestManifests.Image(Config, [Layer], subject: subject, annotations: annotations),
            MediaTypes.OciManifest);

        Assert.Equal(subject, document.Subject);
        Assert.Equal(annotations, document.Annotations);
    }

    [Fact]
    public void References_ImageManifest_ConfigThenLayersWithoutForeignLayers()
    {
        var foreign = TestManifests.DescriptorOf(TestManifests.DockerForeignLayer, [4]);
        var nondistributable = TestManifests.DescriptorOf("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", [5]);
        var second = TestManifests.DescriptorOf(TestManifests.OciLayer, [6]);
        var subject = TestManifests.DescriptorOf(MediaTypes.OciManifest, [7]);
        var content = TestManifests.Image(Config, [foreign, Layer, nondistributable, second], subject: subject);

        var references = ManifestDocument.Parse(content, MediaTypes.OciManifest).References();

        // The subject is not required: a referrer may be pushed before the manifest it refers to.
        Assert.Equal([Config.Digest, Layer.Digest, second.Digest], references.Select(r => r.Digest));
    }

    [Fact]
    public void References_Index_ReturnsChildManifests()
    {
        var first = TestManifests.DescriptorOf(MediaTypes.OciManifest, [1]);
        var second = TestManifests.DescriptorOf(MediaTypes.OciManifest, [2]);

        var references = ManifestDocument.Parse(TestManifests.Index([first, second]), MediaTypes.OciIndex).References();

        Assert.Equal([first.Digest, second.Digest], references.Select(r => r.Digest));
    }

    private static void AssertInvalid(string body, string? contentType) => AssertInvalid(Encoding.UTF8.GetBytes(body), contentType);

    private static void AssertInvalid(byte[] body, string? contentType)
    {
        var error = Assert.Throws<RegistryException>(() => ManifestDocument.Parse(body, contentType));
        Assert.Equal(OciErrorCode.ManifestInvalid, error.Code);
    }

    private static string Json(Descriptor descriptor) => System.Text.Json.JsonSerializer.Serialize(descriptor);
}
