using System.Net;
using System.Text.Json;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// Signatures and attestations pushed upstream are found through the cache before anything of them was pulled,
/// and what the cache holds is still listed while the upstream is down.
/// </summary>
public sealed class PullThroughReferrersTests
{
    private const string SignatureType = "application/vnd.example.signature.v1";
    private const string SbomType = "application/vnd.example.sbom.v1";

    [Fact]
    public async Task Referrers_PushedUpstream_AreListedByTheCache_AndCachedOnesWhileTheUpstreamIsDown()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var image = await setup.Upstream.Client.PushImageAsync("app", "v1");
        var subject = new { mediaType = TestContent.OciManifest, digest = image.Digest, size = image.Manifest.Length };
        var signature = await setup.Upstream.Client.PushImageAsync("app", "signature", layerCount: 1, subject, SignatureType);
        var sbom = await setup.Upstream.Client.PushImageAsync("app", "sbom", layerCount: 1, subject, SbomType);

        var listed = await ReferrersAsync(setup.Cache.Client, $"/v2/app/referrers/{image.Digest}");
        using var filtered = await setup.Cache.Client.GetAsync($"/v2/app/referrers/{image.Digest}?artifactType={Uri.EscapeDataString(SbomType)}");
        var onlySbom = await ReferrersAsync(filtered);
        using var pulled = await setup.Cache.Client.GetAsync($"/v2/app/manifests/{signature.Digest}");
        setup.Proxy.FailWith = 503;
        var whileDown = await ReferrersAsync(setup.Cache.Client, $"/v2/app/referrers/{image.Digest}");

        Assert.Equal(new[] { sbom.Digest, signature.Digest }.Order(StringComparer.Ordinal), listed.Select(m => m.Digest).Order(StringComparer.Ordinal));
        Assert.Equal(SignatureType, listed.Single(m => m.Digest == signature.Digest).ArtifactType);
        Assert.Equal("artifactType", filtered.Header("OCI-Filters-Applied"));
        Assert.Equal(sbom.Digest, Assert.Single(onlySbom).Digest);
        Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        Assert.Equal(signature.Digest, Assert.Single(whileDown).Digest);
    }

    [Fact]
    public async Task Referrers_PagedByTheUpstream_AreListedFromEveryPage()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var image = await setup.Upstream.Client.PushImageAsync("app", "v1");
        var subject = new { mediaType = TestContent.OciManifest, digest = image.Digest, size = image.Manifest.Length };
        var pushed = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            pushed.Add((await setup.Upstream.Client.PushImageAsync("app", $"signature-{i}", layerCount: 1, subject, SignatureType)).Digest);
        }

        setup.Proxy.PageReferrers = true;
        setup.Proxy.ResetCounts();
        var listed = await ReferrersAsync(setup.Cache.Client, $"/v2/app/referrers/{image.Digest}");

        Assert.Equal(pushed.Order(StringComparer.Ordinal), listed.Select(m => m.Digest).Order(StringComparer.Ordinal));
        Assert.Equal(3, setup.Proxy.Count("GET", "/referrers/"));
    }

    [Fact]
    public async Task Referrers_OfAnUpstreamWithoutTheReferrersApi_AreReadFromItsTagSchemaIndex()
    {
        await using var reference = await DistributionRegistry.StartAsync();
        await using var cache = await RegistryServer.StartCacheAsync(reference.BaseAddress, DistributionRegistry.Username, DistributionRegistry.Password);
        var image = await reference.Client.PushImageAsync("app", "v1");
        var signature = await reference.Client.PushImageAsync("app", "signature", layerCount: 1);
        // What a client writes to a registry without the referrers API: an index tagged sha256-<hex> of the subject.
        var index = TestContent.Json(new
        {
            schemaVersion = 2,
            mediaType = TestContent.OciIndex,
            manifests = new[]
            {
                new { mediaType = TestContent.OciManifest, digest = signature.Digest, size = signature.Manifest.Length, artifactType = SignatureType },
            },
        });
        using var put = await reference.Client.PutManifestAsync("app", image.Digest.Replace(':', '-'), TestContent.OciIndex, index);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        var listed = await ReferrersAsync(cache.Client, $"/v2/app/referrers/{image.Digest}");
        var none = await ReferrersAsync(cache.Client, $"/v2/app/referrers/{signature.Digest}");

        var only = Assert.Single(listed);
        Assert.Equal(signature.Digest, only.Digest);
        Assert.Equal(SignatureType, only.ArtifactType);
        Assert.Empty(none);
    }

    [Fact]
    public async Task Referrers_OfASha512SubjectAtAnUpstreamWithoutTheReferrersApi_AreReadFromTheTruncatedTag()
    {
        await using var reference = await DistributionRegistry.StartAsync();
        await using var cache = await RegistryServer.StartCacheAsync(reference.BaseAddress, DistributionRegistry.Username, DistributionRegistry.Password);
        var subject = TestContent.DigestOf(TestContent.RandomBytes(64), "sha512");
        var signature = await reference.Client.PushImageAsync("app", "signature", layerCount: 1);
        var index = TestContent.Json(new
        {
            schemaVersion = 2,
            mediaType = TestContent.OciIndex,
            manifests = new[] { new { mediaType = TestContent.OciManifest, digest = signature.Digest, size = signature.Manifest.Length, artifactType = SignatureType } },
        });
        // The next spec's schema: "sha512-" and the first 64 hex characters; all 128 would make an invalid tag.
        using var put = await reference.Client.PutManifestAsync("app", "sha512-" + subject["sha512:".Length..][..64], TestContent.OciIndex, index);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        var listed = await ReferrersAsync(cache.Client, $"/v2/app/referrers/{subject}");

        Assert.Equal(signature.Digest, Assert.Single(listed).Digest);
    }

    private static async Task<List<Referrer>> ReferrersAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return await ReferrersAsync(response);
    }

    private static async Task<List<Referrer>> ReferrersAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(TestContent.OciIndex, response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return json.GetProperty("manifests").EnumerateArray()
            .Select(m => new Referrer(m.GetProperty("digest").GetString()!, m.TryGetProperty("artifactType", out var type) ? type.GetString() : null))
            .ToList();
    }

    private sealed record Referrer(string Digest, string? ArtifactType);
}
