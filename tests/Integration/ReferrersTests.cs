using System.Net;
using System.Text.Json;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

public sealed class ReferrersTests
{
    private const string SignatureType = "application/vnd.example.signature.v1";
    private const string SbomType = "application/vnd.example.sbom.v1";

    [Fact]
    public async Task Referrers_NoneYet_ReturnsEmptyIndexNot404()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");

        using var response = await server.Client.GetAsync($"/v2/app/referrers/{image.Digest}");
        using var unknownRepository = await server.Client.GetAsync($"/v2/nothing/referrers/{image.Digest}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestContent.OciIndex, response.Content.Headers.ContentType!.MediaType);
        Assert.Empty(await ManifestsAsync(response));
        Assert.Equal(HttpStatusCode.OK, unknownRepository.StatusCode);
    }

    [Fact]
    public async Task PutManifest_WithSubject_AnswersOciSubjectAndIsListed()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");
        var subject = new { mediaType = TestContent.OciManifest, digest = image.Digest, size = image.Manifest.Length };

        var signature = await PushArtifactAsync(server.Client, subject, SignatureType);
        var sbom = await PushArtifactAsync(server.Client, subject, SbomType);

        Assert.Equal(image.Digest, signature.Header("OCI-Subject"));
        using var response = await server.Client.GetAsync($"/v2/app/referrers/{image.Digest}");
        var manifests = await ManifestsAsync(response);
        Assert.Equal(2, manifests.Count);
        Assert.Contains(manifests, m => m.GetProperty("artifactType").GetString() == SignatureType
            && m.GetProperty("digest").GetString() == signature.Header("Docker-Content-Digest")
            && m.GetProperty("mediaType").GetString() == TestContent.OciManifest
            && m.GetProperty("annotations").GetProperty("org.example.kind").GetString() == SignatureType);
        Assert.Contains(manifests, m => m.GetProperty("artifactType").GetString() == SbomType);
        Assert.False(response.Headers.Contains("OCI-Filters-Applied"));
        signature.Dispose();
        sbom.Dispose();
    }

    [Fact]
    public async Task Referrers_ArtifactTypeFilter_ReturnsOnlyThatTypeWithHeader()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");
        var subject = new { mediaType = TestContent.OciManifest, digest = image.Digest, size = image.Manifest.Length };
        (await PushArtifactAsync(server.Client, subject, SignatureType)).Dispose();
        (await PushArtifactAsync(server.Client, subject, SbomType)).Dispose();

        using var response = await server.Client.GetAsync($"/v2/app/referrers/{image.Digest}?artifactType={Uri.EscapeDataString(SbomType)}");

        var manifests = await ManifestsAsync(response);
        Assert.Equal("artifactType", response.Header("OCI-Filters-Applied"));
        Assert.Equal(SbomType, Assert.Single(manifests).GetProperty("artifactType").GetString());
    }

    [Fact]
    public async Task Referrers_SubjectNotPushed_ArtifactIsStillAccepted()
    {
        await using var server = await RegistryServer.StartAsync();
        var missing = TestContent.DigestOf(TestContent.RandomBytes(16));
        var subject = new { mediaType = TestContent.OciManifest, digest = missing, size = 16 };

        using var put = await PushArtifactAsync(server.Client, subject, SignatureType);
        using var response = await server.Client.GetAsync($"/v2/app/referrers/{missing}");

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Single(await ManifestsAsync(response));
    }

    [Fact]
    public async Task DeleteManifest_Referrer_DisappearsFromList()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "v1");
        var subject = new { mediaType = TestContent.OciManifest, digest = image.Digest, size = image.Manifest.Length };
        using var signature = await PushArtifactAsync(server.Client, subject, SignatureType);

        using var delete = await server.Client.DeleteAsync($"/v2/app/manifests/{signature.Header("Docker-Content-Digest")}");
        using var response = await server.Client.GetAsync($"/v2/app/referrers/{image.Digest}");

        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Empty(await ManifestsAsync(response));
    }

    [Fact]
    public async Task Referrers_MalformedDigest_Returns400DigestInvalid()
    {
        await using var server = await RegistryServer.StartAsync();

        using var response = await server.Client.GetAsync("/v2/app/referrers/sha256:xyz");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("DIGEST_INVALID", await response.ErrorCodeAsync());
    }

    /// <summary>An OCI 1.1 artifact: the empty config, one small blob, a subject and an artifactType.</summary>
    private static async Task<HttpResponseMessage> PushArtifactAsync(HttpClient client, object subject, string artifactType)
    {
        var empty = "{}"u8.ToArray();
        var payload = TestContent.RandomBytes(64);
        await client.PushBlobAsync("app", empty);
        await client.PushBlobAsync("app", payload);
        var manifest = TestContent.Json(new
        {
            schemaVersion = 2,
            mediaType = TestContent.OciManifest,
            artifactType,
            config = TestContent.Descriptor("application/vnd.oci.empty.v1+json", empty),
            layers = new[] { TestContent.Descriptor("application/octet-stream", payload) },
            subject,
            annotations = new Dictionary<string, string> { ["org.example.kind"] = artifactType },
        });
        var response = await client.PutManifestAsync("app", TestContent.DigestOf(manifest), TestContent.OciManifest, manifest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response;
    }

    private static async Task<List<JsonElement>> ManifestsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, json.GetProperty("schemaVersion").GetInt32());
        return json.GetProperty("manifests").EnumerateArray().ToList();
    }
}
