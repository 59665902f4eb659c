using System.Net;
using System.Text.Json;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// Content addressed by sha512 (distribution-spec, next version: the conformance suite's sha512 data) over raw HTTP,
/// as no client on the test machine pushes sha512: every way of pushing a blob, a manifest pushed by its sha512
/// digest, mount, pull, HEAD and referrers. Each answer's Docker-Content-Digest is in the algorithm asked for.
/// </summary>
public sealed class Sha512Tests
{
    private const string Sha512 = "sha512";

    [Fact]
    public async Task ChunkedUpload_DigestAlgorithmSha512_CommitsUnderSha512AndServesIt()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(300_000);
        var digest = TestContent.DigestOf(content, Sha512);

        var location = await StartAsync(server.Client, "app", "?digest-algorithm=sha512");
        for (var start = 0; start < content.Length; start += 100_000)
        {
            var body = RegistryApi.Octets(content, start, 100_000);
            body.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + 99_999}");
            using var patch = await server.Client.PatchAsync(location, body);
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            location = patch.Headers.Location!.OriginalString;
        }

        using var put = await server.Client.PutAsync($"{location}&digest={digest}", null);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, put.Header("Docker-Content-Digest"));
        Assert.Equal($"/v2/app/blobs/{digest}", put.Headers.Location!.OriginalString);
        await AssertBlobServedAsync(server, "app", digest, content);
        Assert.True(File.Exists(BlobFile(server, digest)));
    }

    [Fact]
    public async Task StreamedUpload_AlgorithmNamedOnlyByTheFinalPut_IsVerifiedWithSha512()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(200_000);
        var digest = TestContent.DigestOf(content, Sha512);
        var location = await StartAsync(server.Client, "app");

        // One streamed PATCH is hashed as sha256 while it arrives; the sha512 PUT has the data read again.
        using var patch = await server.Client.PatchAsync(location, RegistryApi.Octets(content));
        location = patch.Headers.Location!.OriginalString;
        using var wrong = await server.Client.PutAsync($"{location}&digest={TestContent.DigestOf(TestContent.RandomBytes(10), Sha512)}", null);
        var retry = await StartAsync(server.Client, "app");
        using var retryPatch = await server.Client.PatchAsync(retry, RegistryApi.Octets(content));
        using var put = await server.Client.PutAsync($"{retryPatch.Headers.Location!.OriginalString}&digest={digest}", null);

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("DIGEST_INVALID", await wrong.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, put.Header("Docker-Content-Digest"));
        await AssertBlobServedAsync(server, "app", digest, content);
    }

    [Fact]
    public async Task PostThenPut_Sha512Digest_CommitsTheWholeBody()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(70_000);
        var digest = TestContent.DigestOf(content, Sha512);

        var location = await StartAsync(server.Client, "app");
        using var put = await server.Client.PutAsync($"{location}&digest={digest}", RegistryApi.Octets(content));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, put.Header("Docker-Content-Digest"));
        await AssertBlobServedAsync(server, "app", digest, content);
    }

    [Theory]
    [InlineData("sha384")]
    [InlineData("md5")]
    [InlineData("SHA512")]
    public async Task Upload_UnsupportedAlgorithm_Returns400DigestInvalid(string algorithm)
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(100);
        var unsupported = $"{algorithm}:{Convert.ToHexStringLower(System.Security.Cryptography.SHA384.HashData(content))}";

        using var post = await server.Client.PostAsync($"/v2/app/blobs/uploads/?digest-algorithm={algorithm}", null);
        var location = await StartAsync(server.Client, "app");
        using var put = await server.Client.PutAsync($"{location}&digest={unsupported}", RegistryApi.Octets(content));
        using var get = await server.Client.GetAsync($"/v2/app/blobs/{unsupported}");

        foreach (var response in new[] { post, put, get })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("DIGEST_INVALID", await response.ErrorCodeAsync());
        }
    }

    [Fact]
    public async Task Mount_Sha512BlobFromAnotherRepository_Returns201WithItsDigest()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(500);
        var digest = await server.Client.PushBlobAsync("source", content, Sha512);

        using var mount = await server.Client.PostAsync($"/v2/target/blobs/uploads/?mount={digest}&from=source", null);

        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal(digest, mount.Header("Docker-Content-Digest"));
        await AssertBlobServedAsync(server, "target", digest, content);
    }

    [Fact]
    public async Task PutManifest_BySha512Digest_IsServedAndHeadedBySha512()
    {
        await using var server = await RegistryServer.StartAsync();
        var (manifest, digest) = await server.Client.PushSha512ImageAsync("app");

        using var get = await server.Client.GetAsync($"/v2/app/manifests/{digest}");
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/manifests/{digest}"));
        using var bySha256 = await server.Client.GetAsync($"/v2/app/manifests/{TestContent.DigestOf(manifest)}");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest, get.Header("Docker-Content-Digest"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(digest, head.Header("Docker-Content-Digest"));
        Assert.Equal(manifest.Length.ToString(), head.Header("Content-Length"));
        Assert.Equal(TestContent.OciManifest, head.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, bySha256.StatusCode);
    }

    [Fact]
    public async Task PutManifest_Sha512DigestOfOtherContent_Returns400DigestInvalid()
    {
        await using var server = await RegistryServer.StartAsync();
        var (manifest, _) = await server.Client.PushSha512ImageAsync("app");
        var other = TestContent.DigestOf([.. manifest, (byte)' '], Sha512);

        using var put = await server.Client.PutManifestAsync("app", other, TestContent.OciManifest, manifest);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("DIGEST_INVALID", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task Referrers_Sha512Subject_ListsTheReferrerUnderTheSha512Digest()
    {
        await using var server = await RegistryServer.StartAsync();
        var (subjectManifest, subject) = await server.Client.PushSha512ImageAsync("app");
        var config = "{}"u8.ToArray();
        await server.Client.PushBlobAsync("app", config, Sha512);
        var referrer = TestContent.Manifest(
            TestContent.OciManifest, "application/vnd.example.sig.v1", config, [],
            subject: new { mediaType = TestContent.OciManifest, digest = subject, size = subjectManifest.Length }, algorithm: Sha512);
        var referrerDigest = TestContent.DigestOf(referrer, Sha512);

        using var put = await server.Client.PutManifestAsync("app", referrerDigest, TestContent.OciManifest, referrer);
        using var list = await server.Client.GetAsync($"/v2/app/referrers/{subject}");

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(subject, put.Header("OCI-Subject"));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var index = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        var listed = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal(referrerDigest, listed.GetProperty("digest").GetString());
        Assert.Equal(referrer.Length, listed.GetProperty("size").GetInt32());
    }

    [Fact]
    public async Task DeleteManifest_BySha512Digest_RemovesItAndItsTag()
    {
        await using var server = await RegistryServer.StartAsync();
        var (_, digest) = await server.Client.PushSha512ImageAsync("app", tag: "v1");

        using var delete = await server.Client.DeleteAsync($"/v2/app/manifests/{digest}");
        using var get = await server.Client.GetAsync($"/v2/app/manifests/{digest}");
        using var byTag = await server.Client.GetAsync("/v2/app/manifests/v1");

        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byTag.StatusCode);
    }

    private static async Task AssertBlobServedAsync(RegistryServer server, string repository, string digest, byte[] content)
    {
        using var get = await server.Client.GetAsync($"/v2/{repository}/blobs/{digest}");
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest, get.Header("Docker-Content-Digest"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(digest, head.Header("Docker-Content-Digest"));
        Assert.Equal(content.Length.ToString(), head.Header("Content-Length"));
    }

    private static string BlobFile(RegistryServer server, string digest)
    {
        var hex = digest["sha512:".Length..];
        return Path.Combine(server.StoragePath, "blobs", Sha512, hex[..2], hex);
    }

    private static async Task<string> StartAsync(HttpClient client, string repository, string query = "")
    {
        using var response = await client.PostAsync($"/v2/{repository}/blobs/uploads/{query}", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }
}
