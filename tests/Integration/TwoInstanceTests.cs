using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// Several registry processes on one store, as behind a load balancer: any instance continues, finishes and
/// serves what another began, and only instances that share SECRET trust each other's upload state.
/// </summary>
public sealed class TwoInstanceTests : IDisposable
{
    private const string OtherSecret = "another-secret-fedcba9876543210fedcba98";

    private readonly string _store = TempDirectory.Create("shared-store");

    public void Dispose() => TempDirectory.Delete(_store);

    [Fact]
    public async Task ChunkedUpload_StartedOnAContinuedOnBFinishedOnC_EveryInstanceServesBlob()
    {
        await using var a = await RegistryProcess.StartAsync(_store);
        await using var b = await RegistryProcess.StartAsync(_store);
        await using var c = await RegistryProcess.StartAsync(_store);
        var content = TestContent.RandomBytes((3 * 1024 * 1024) + 123);
        var digest = TestContent.DigestOf(content);
        const int firstEnd = 1024 * 1024;
        var secondEnd = content.Length - 1000;

        using var started = await a.Client.PostAsync("/v2/shared/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        using var first = await PatchAsync(b.Client, started.Headers.Location!, content, 0, firstEnd);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal($"0-{firstEnd - 1}", first.Header("Range"));
        using var status = await a.Client.GetAsync(first.Headers.Location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal($"0-{firstEnd - 1}", status.Header("Range"));
        using var second = await PatchAsync(b.Client, status.Headers.Location!, content, firstEnd, secondEnd);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        using var closed = await c.Client.PutAsync($"{second.Headers.Location}&digest={digest}", RegistryApi.Octets(content, secondEnd));

        Assert.Equal(HttpStatusCode.Created, closed.StatusCode);
        Assert.Equal(digest, closed.Header("Docker-Content-Digest"));
        Assert.Equal($"/v2/shared/app/blobs/{digest}", closed.Headers.Location!.OriginalString);
        foreach (var instance in new[] { a, b, c })
        {
            using var response = await instance.Client.GetAsync($"/v2/shared/app/blobs/{digest}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Manifest_PushedOnOneInstance_IsServedByTheOtherByTagAndDigest()
    {
        await using var a = await RegistryProcess.StartAsync(_store);
        await using var b = await RegistryProcess.StartAsync(_store);

        var image = await a.Client.PushImageAsync("shared/image", "v1");
        var index = TestContent.Index(TestContent.OciIndex, [(TestContent.OciManifest, image.Manifest, "amd64")]);
        using var pushedOnB = await b.Client.PutManifestAsync("shared/image", "multi", TestContent.OciIndex, index);

        Assert.Equal(HttpStatusCode.Created, pushedOnB.StatusCode);
        await RegistryAudit.AssertManifestServedAsync(b.Client, "shared/image", "v1", image.Manifest, TestContent.OciManifest);
        await RegistryAudit.AssertManifestServedAsync(b.Client, "shared/image", image.Digest, image.Manifest, TestContent.OciManifest);
        await RegistryAudit.AssertManifestServedAsync(a.Client, "shared/image", "multi", index, TestContent.OciIndex);
        await RegistryAudit.AssertManifestServedAsync(a.Client, "shared/image", TestContent.DigestOf(index), index, TestContent.OciIndex);
        foreach (var blob in image.Layers.Append(image.Config))
        {
            await RegistryAudit.AssertBlobIntactAsync(b.Client, "shared/image", TestContent.DigestOf(blob), blob.Length);
        }

        var seenByA = await RegistryAudit.AssertConsistentAsync(a.Client);
        var seenByB = await RegistryAudit.AssertConsistentAsync(b.Client);
        Assert.Equal(["multi", "v1"], seenByB["shared/image"].Keys.Order(StringComparer.Ordinal));
        Assert.Equal(seenByA["shared/image"], seenByB["shared/image"]);
    }

    [Fact]
    public async Task UploadState_SignedWithAnotherSecret_Returns400BlobUploadInvalidAndChangesNothing()
    {
        await using var a = await RegistryProcess.StartAsync(_store);
        await using var foreign = await RegistryProcess.StartAsync(_store, OtherSecret);
        var content = TestContent.RandomBytes(1000);
        var digest = TestContent.DigestOf(content);
        using var started = await a.Client.PostAsync("/v2/app/blobs/uploads/", null);
        using var patched = await PatchAsync(a.Client, started.Headers.Location!, content, 0, content.Length);
        var location = patched.Headers.Location!;

        // A chunk that would continue the upload correctly, were its state trusted.
        using var patch = await PatchAsync(foreign.Client, location, TestContent.RandomBytes(1500), 1000, 1500);
        using var status = await foreign.Client.GetAsync(location);
        using var put = await foreign.Client.PutAsync($"{location}&digest={digest}", null);
        using var delete = await foreign.Client.DeleteAsync(location);

        foreach (var refused in new[] { patch, status, put, delete })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("BLOB_UPLOAD_INVALID", await refused.ErrorCodeAsync());
        }

        await RegistryAudit.AssertBlobAbsentAsync(a.Client, "app", digest);
        using var unchanged = await a.Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, unchanged.StatusCode);
        Assert.Equal($"0-{content.Length - 1}", unchanged.Header("Range"));
        using var finished = await a.Client.PutAsync($"{location}&digest={digest}", null);
        Assert.Equal(HttpStatusCode.Created, finished.StatusCode);
        using var served = await foreign.Client.GetAsync($"/v2/app/blobs/{digest}");
        Assert.Equal(content, await served.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Instance_StoppedMidUpload_OtherFinishesUploadAndServesEverything()
    {
        await using var a = await RegistryProcess.StartAsync(_store);
        await using var b = await RegistryProcess.StartAsync(_store);
        var image = await a.Client.PushImageAsync("app", "v1");
        var content = TestContent.RandomBytes(200_000);
        using var started = await a.Client.PostAsync("/v2/app/blobs/uploads/", null);
        using var patched = await PatchAsync(a.Client, started.Headers.Location!, content, 0, 150_000);

        var exitCode = await a.StopAsync();
        using var finished = await b.Client.PutAsync(
            $"{patched.Headers.Location}&digest={TestContent.DigestOf(content)}", RegistryApi.Octets(content, 150_000));

        Assert.Equal(0, exitCode);
        Assert.Equal(HttpStatusCode.Created, finished.StatusCode);
        await RegistryAudit.AssertBlobIntactAsync(b.Client, "app", TestContent.DigestOf(content), content.Length);
        await RegistryAudit.AssertManifestServedAsync(b.Client, "app", "v1", image.Manifest, TestContent.OciManifest);
    }

    private static async Task<HttpResponseMessage> PatchAsync(HttpClient client, Uri location, byte[] content, int start, int end)
    {
        var body = RegistryApi.Octets(content, start, end - start);
        body.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{end - 1}");
        return await client.PatchAsync(location, body);
    }
}
