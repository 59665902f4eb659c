using System.Net;
using System.Text.Json;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// The real skopeo pushes generated images into the registry and pulls them back out to a fresh directory.
/// Every manifest and blob must come back with the digest it went in with: a registry that altered a byte,
/// or a media type that made skopeo convert the manifest, shows up as a changed digest.
/// </summary>
public sealed class SkopeoTests : IDisposable
{
    private static readonly string[] ManifestTypes =
        [TestContent.OciManifest, TestContent.OciIndex, TestContent.DockerManifest, TestContent.DockerManifestList];

    private readonly string _work = TempDirectory.Create("skopeo");

    public void Dispose() => TempDirectory.Delete(_work);

    [Fact]
    public async Task CopyOciLayout_ThreeLayerImage_RoundTripsWithSameDigests()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = TestImage.Oci("amd64", 4 * 1024, 64 * 1024, 1024 * 1024);
        var source = new OciLayoutWriter(Scratch("oci-in"));
        source.AddImage(image);
        source.Tag("v1", image.MediaType, image.Manifest);
        source.Save();
        var remote = $"docker://{server.Authority}/skopeo/oci-image:v1";
        var output = Scratch("oci-out");

        await Skopeo.CopyAsync($"oci:{source.Root}:v1", remote);
        var inspected = await Skopeo.InspectRawAsync(remote);
        await Skopeo.CopyAsync(remote, $"oci:{output}:v1");

        await AssertManifestServedAsync(server, "skopeo/oci-image", "v1", TestContent.OciManifest, image.Manifest);
        Assert.Equal(image.Digest, TestContent.DigestOf(inspected));
        await AssertTagListedAsync(server, "skopeo/oci-image", "v1");
        Assert.Equal((TestContent.OciManifest, image.Digest), OciLayoutReader.Resolve(output, "v1"));
        AssertBlobsCopied(image.Blobs.Append(image.Manifest), digest => OciLayoutReader.BlobPath(output, digest));
    }

    [Fact]
    public async Task CopyDir_DockerSchema2Image_KeepsDockerMediaTypeAndDigests()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = TestImage.Docker(8 * 1024, 256 * 1024);
        var source = Scratch("dir-in");
        DirTransportLayout.Write(source, image);
        var remote = $"docker://{server.Authority}/skopeo/docker-image:v2";
        var output = Scratch("dir-out");

        await Skopeo.CopyAsync($"dir:{source}", remote);
        var inspected = await Skopeo.InspectRawAsync(remote);
        await Skopeo.CopyAsync(remote, $"dir:{output}");

        // Had the registry refused the Docker manifest, skopeo would have converted it to OCI and retried.
        await AssertManifestServedAsync(server, "skopeo/docker-image", "v2", TestContent.DockerManifest, image.Manifest);
        Assert.Equal(image.Digest, TestContent.DigestOf(inspected));
        await AssertTagListedAsync(server, "skopeo/docker-image", "v2");
        Assert.Equal(image.Digest, TestContent.DigestOf(File.ReadAllBytes(DirTransportLayout.ManifestPath(output))));
        AssertBlobsCopied(image.Blobs, digest => DirTransportLayout.BlobPath(output, digest));
    }

    [Fact]
    public async Task CopyAll_MultiPlatformOciIndex_RoundTripsIndexAndBothImages()
    {
        await using var server = await RegistryServer.StartAsync();
        TestImage[] images = [TestImage.Oci("amd64", 4 * 1024, 32 * 1024), TestImage.Oci("arm64", 16 * 1024)];
        var index = TestContent.Index(TestContent.OciIndex, images.Select(i => (i.MediaType, i.Manifest, i.Architecture)));
        var source = new OciLayoutWriter(Scratch("index-in"));
        foreach (var image in images)
        {
            source.AddImage(image);
        }

        source.Tag("multi", TestContent.OciIndex, index);
        source.Save();
        var remote = $"docker://{server.Authority}/skopeo/multi-arch:multi";
        var output = Scratch("index-out");

        await Skopeo.CopyAsync($"oci:{source.Root}:multi", remote, "--all");
        var inspected = await Skopeo.InspectRawAsync(remote);
        await Skopeo.CopyAsync(remote, $"oci:{output}:multi", "--all");

        // Had the registry refused the OCI index, skopeo would have converted it to a Docker manifest list.
        await AssertManifestServedAsync(server, "skopeo/multi-arch", "multi", TestContent.OciIndex, index);
        Assert.Equal(TestContent.DigestOf(index), TestContent.DigestOf(inspected));
        foreach (var image in images)
        {
            await AssertManifestServedAsync(server, "skopeo/multi-arch", image.Digest, TestContent.OciManifest, image.Manifest);
        }

        await AssertTagListedAsync(server, "skopeo/multi-arch", "multi");
        Assert.Equal((TestContent.OciIndex, TestContent.DigestOf(index)), OciLayoutReader.Resolve(output, "multi"));
        var everything = images.SelectMany(i => i.Blobs.Append(i.Manifest)).Append(index);
        AssertBlobsCopied(everything, digest => OciLayoutReader.BlobPath(output, digest));
    }

    [Fact]
    public async Task CopyWithDigestfile_OciImage_WritesTheDigestTheRegistryAnswers()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = TestImage.Oci("amd64", 4 * 1024);
        var source = new OciLayoutWriter(Scratch("digestfile-in"));
        source.AddImage(image);
        source.Tag("v1", image.MediaType, image.Manifest);
        source.Save();
        var digestFile = Scratch("digest");

        await Skopeo.CopyAsync($"oci:{source.Root}:v1", $"docker://{server.Authority}/skopeo/digestfile:v1", "--digestfile", digestFile);
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/skopeo/digestfile/manifests/v1"));

        Assert.Equal(image.Digest, File.ReadAllText(digestFile).Trim());
        Assert.Equal(image.Digest, head.Header("Docker-Content-Digest"));
    }

    /// <summary>
    /// Debian 12's skopeo (1.9) hashes everything with sha256, so it can neither push nor copy out sha512 content;
    /// the image goes in over HTTP and skopeo reads what does not need re-hashing: the raw manifest and the tags.
    /// </summary>
    [Fact]
    public async Task InspectRawAndListTags_Sha512ManifestPushedWithTagParameters_SeeItsBytesAndEveryTag()
    {
        await using var server = await RegistryServer.StartAsync();
        var (layer, diffId) = TestContent.RandomLayer(1024);
        var config = TestContent.Config([diffId]);
        await server.Client.PushBlobAsync("skopeo/sha512", layer, "sha512");
        await server.Client.PushBlobAsync("skopeo/sha512", config, "sha512");
        var manifest = TestContent.Manifest(TestContent.OciManifest, TestContent.OciConfig, config, [(TestContent.OciLayer, layer)], algorithm: "sha512");
        var digest = TestContent.DigestOf(manifest, "sha512");
        using var put = await server.Client.PutManifestAsync("skopeo/sha512", $"{digest}?tag=v1&tag=latest", TestContent.OciManifest, manifest);

        var inspected = await Skopeo.InspectRawAsync($"docker://{server.Authority}/skopeo/sha512:v1");
        var tags = await Skopeo.ListTagsAsync($"docker://{server.Authority}/skopeo/sha512");

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, TestContent.DigestOf(inspected, "sha512"));
        Assert.Equal(["latest", "v1"], tags);
    }

    private string Scratch(string name) => Path.Combine(_work, name);

    /// <summary>The registry serves the manifest byte for byte, with the media type it was pushed as, whatever the client accepts.</summary>
    private static async Task AssertManifestServedAsync(RegistryServer server, string repository, string reference, string mediaType, byte[] expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/{reference}");
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.ParseAdd(type);
        }

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TestContent.DigestOf(expected), response.Header("Docker-Content-Digest"));
        Assert.Equal(TestContent.DigestOf(expected), TestContent.DigestOf(await response.Content.ReadAsByteArrayAsync()));
    }

    private static async Task AssertTagListedAsync(RegistryServer server, string repository, string tag)
    {
        using var response = await server.Client.GetAsync($"/v2/{repository}/tags/list");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(tag, json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    /// <summary>Each blob is in the pulled-out directory with exactly the bytes it was generated with.</summary>
    private static void AssertBlobsCopied(IEnumerable<byte[]> blobs, Func<string, string> pathOf)
    {
        foreach (var blob in blobs)
        {
            var digest = TestContent.DigestOf(blob);
            var path = pathOf(digest);
            Assert.True(File.Exists(path), $"blob {digest} is missing from the copy ({path})");
            Assert.Equal(digest, TestContent.DigestOf(File.ReadAllBytes(path)));
        }
    }
}
