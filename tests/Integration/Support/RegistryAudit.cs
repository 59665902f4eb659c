using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// Walks everything a client can reach from <c>/v2/_catalog</c> and asserts that it holds together: every tag
/// resolves, every manifest's bytes match its digest, and every blob or child manifest it names is served intact.
/// This is what a crash must never break.
/// </summary>
public static class RegistryAudit
{
    /// <returns>What the walk saw: repository → tag → manifest digest.</returns>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> AssertConsistentAsync(HttpClient client)
    {
        var seen = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        foreach (var repository in await ListAsync(client, "/v2/_catalog", "repositories"))
        {
            Assert.DoesNotContain(repository.Split('/'), IsHidden);
            var verified = new HashSet<string>();
            var tags = new Dictionary<string, string>();
            foreach (var tag in await ListAsync(client, $"/v2/{repository}/tags/list", "tags"))
            {
                Assert.False(IsHidden(tag), $"tag '{tag}' of {repository} is a hidden (temp) name");
                tags[tag] = await AssertManifestAsync(client, repository, tag, verified);
            }

            seen[repository] = tags;
        }

        return seen;
    }

    /// <summary>Fetches a blob and asserts its bytes hash to its digest.</summary>
    /// <summary>A blob that may or may not have been committed (a push cut short): absent, or whole and intact.</summary>
    public static async Task AssertAbsentOrIntactAsync(HttpClient client, string repository, byte[] content)
    {
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{TestContent.DigestOf(content)}"));
        if (head.StatusCode != HttpStatusCode.NotFound)
        {
            await AssertBlobIntactAsync(client, repository, TestContent.DigestOf(content), content.Length);
        }
    }

    public static async Task AssertBlobIntactAsync(HttpClient client, string repository, string digest, long? size = null)
    {
        using var response = await client.GetAsync($"/v2/{repository}/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"blob {digest} of {repository}: {(int)response.StatusCode}");
        await using var body = await response.Content.ReadAsStreamAsync();
        var actual = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(body));
        Assert.Equal(digest, actual);
        if (size is { } expected)
        {
            Assert.Equal(expected, response.Content.Headers.ContentLength);
        }
    }

    /// <summary>Asserts the manifest is served with exactly the pushed bytes (and media type, when given).</summary>
    public static async Task AssertManifestServedAsync(HttpClient client, string repository, string reference, byte[] expected, string? mediaType = null)
    {
        using var response = await client.GetAsync($"/v2/{repository}/manifests/{reference}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"manifest {repository}:{reference} answers {(int)response.StatusCode}");
        Assert.Equal(TestContent.DigestOf(expected), response.Header("Docker-Content-Digest"));
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
        if (mediaType is not null)
        {
            Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        }
    }

    public static async Task AssertBlobAbsentAsync(HttpClient client, string repository, string digest)
    {
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{digest}"));
        Assert.True(head.StatusCode == HttpStatusCode.NotFound, $"blob {digest} of {repository} answers {(int)head.StatusCode}, not 404");
    }

    private static async Task<string> AssertManifestAsync(HttpClient client, string repository, string reference, HashSet<string> verified)
    {
        using var response = await client.GetAsync($"/v2/{repository}/manifests/{reference}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"manifest {repository}:{reference} answers {(int)response.StatusCode}");
        var content = await response.Content.ReadAsByteArrayAsync();
        var digest = TestContent.DigestOf(content);
        Assert.Equal(digest, response.Header("Docker-Content-Digest"));
        if (!verified.Add(digest))
        {
            return digest;
        }

        using var document = JsonDocument.Parse(content);
        var root = document.RootElement;
        if (root.TryGetProperty("manifests", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                await AssertManifestAsync(client, repository, child.GetProperty("digest").GetString()!, verified);
            }
        }

        var blobs = root.TryGetProperty("layers", out var layers) ? layers.EnumerateArray().ToList() : [];
        if (root.TryGetProperty("config", out var config))
        {
            blobs.Add(config);
        }

        foreach (var blob in blobs)
        {
            var blobDigest = blob.GetProperty("digest").GetString()!;
            if (verified.Add(blobDigest))
            {
                await AssertBlobIntactAsync(client, repository, blobDigest, blob.GetProperty("size").GetInt64());
            }
        }

        return digest;
    }

    private static async Task<IReadOnlyList<string>> ListAsync(HttpClient client, string path, string property)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty(property).EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private static bool IsHidden(string name) => name.StartsWith('.') || name.Contains(".tmp-", StringComparison.Ordinal);
}
