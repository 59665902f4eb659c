using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace NeonRegistry.Integration.Support;

/// <summary>Small helpers over the raw HTTP API, for tests that need content in place before the part they test.</summary>
public static class RegistryApi
{
    /// <param name="algorithm">The digest algorithm the blob is pushed by, "sha256" or "sha512".</param>
    public static async Task<string> PushBlobAsync(this HttpClient client, string repository, byte[] content, string algorithm = "sha256")
    {
        var digest = TestContent.DigestOf(content, algorithm);
        using var response = await client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={digest}", Octets(content));
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            // Registries without single-request uploads (distribution 2.8) start a session instead: finish it with PUT.
            var location = response.Headers.Location!.ToString();
            var separator = location.Contains('?') ? '&' : '?';
            using var put = await client.PutAsync($"{location}{separator}digest={digest}", Octets(content));
            Assert.True(put.StatusCode == HttpStatusCode.Created, $"{(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
            return digest;
        }

        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return digest;
    }

    public static async Task<HttpResponseMessage> PutManifestAsync(this HttpClient client, string repository, string reference, string mediaType, byte[] manifest)
    {
        var body = new ByteArrayContent(manifest);
        body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await client.PutAsync($"/v2/{repository}/manifests/{reference}", body);
    }

    /// <summary>Pushes a small OCI image (config and <paramref name="layerCount"/> random layers) and tags it.</summary>
    public static async Task<PushedImage> PushImageAsync(this HttpClient client, string repository, string tag, int layerCount = 2, object? subject = null, string? artifactType = null)
    {
        var layers = Enumerable.Range(0, layerCount).Select(_ => TestContent.RandomLayer(1024)).ToList();
        var config = TestContent.Config(layers.Select(l => l.DiffId));
        foreach (var (layer, _) in layers)
        {
            await client.PushBlobAsync(repository, layer);
        }

        await client.PushBlobAsync(repository, config);
        var manifest = TestContent.Manifest(
            TestContent.OciManifest, TestContent.OciConfig, config, layers.Select(l => (TestContent.OciLayer, l.Layer)), subject, artifactType);
        using var response = await client.PutManifestAsync(repository, tag, TestContent.OciManifest, manifest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return new PushedImage(manifest, TestContent.DigestOf(manifest), config, layers.Select(l => l.Layer).ToList());
    }

    /// <summary>
    /// Pushes a one-layer image whose blobs and manifest are all addressed by sha512, the manifest by its sha512
    /// digest, tagged in the same request (<c>?tag=</c>) when a tag is given.
    /// </summary>
    public static async Task<(byte[] Manifest, string Digest)> PushSha512ImageAsync(this HttpClient client, string repository, string? tag = null)
    {
        var (layer, diffId) = TestContent.RandomLayer(1024);
        var config = TestContent.Config([diffId]);
        await client.PushBlobAsync(repository, layer, "sha512");
        await client.PushBlobAsync(repository, config, "sha512");
        var manifest = TestContent.Manifest(TestContent.OciManifest, TestContent.OciConfig, config, [(TestContent.OciLayer, layer)], algorithm: "sha512");
        var digest = TestContent.DigestOf(manifest, "sha512");
        using var put = await client.PutManifestAsync(repository, tag is null ? digest : $"{digest}?tag={tag}", TestContent.OciManifest, manifest);
        Assert.True(put.StatusCode == HttpStatusCode.Created, $"{(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        Assert.Equal(digest, put.Header("Docker-Content-Digest"));
        return (manifest, digest);
    }

    public static ByteArrayContent Octets(byte[] content, int offset = 0, int? count = null)
    {
        var body = new ByteArrayContent(content, offset, count ?? content.Length - offset);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return body;
    }

    /// <summary>How many bytes the upload holds on the server (GET on its Location: 204 with <c>Range: 0-end</c>).</summary>
    public static async Task<long> UploadedLengthAsync(HttpClient client, Uri location)
    {
        using var status = await client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        return RangeEnd(status) + 1;
    }

    /// <summary>The last byte a <c>Range: 0-end</c> header names.</summary>
    public static long RangeEnd(HttpResponseMessage response) => long.Parse(response.Header("Range").Split('-')[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The first error code of an OCI error envelope.</summary>
    public static async Task<string> ErrorCodeAsync(this HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }

    public static string Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : throw new Xunit.Sdk.XunitException($"response has no {name} header");
}

public sealed record PushedImage(byte[] Manifest, string Digest, byte[] Config, IReadOnlyList<byte[]> Layers);
