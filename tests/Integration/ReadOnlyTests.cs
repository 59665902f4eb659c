using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

public sealed class ReadOnlyTests
{
    [Fact]
    public async Task ReadOnly_EveryWriteRefused_PullsKeepWorking()
    {
        PushedImage image;
        string blob;
        string storage;
        await using (var writable = await RegistryServer.StartAsync(storagePath: TempDirectory.Create("store")))
        {
            image = await writable.Client.PushImageAsync("app", "v1");
            blob = await writable.Client.PushBlobAsync("app", TestContent.RandomBytes(100));
            storage = writable.StoragePath;
        }

        try
        {
            await using var server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["READ_ONLY"] = "true" }, storage);
            var content = RegistryApi.Octets(TestContent.RandomBytes(10));
            var writes = new List<HttpResponseMessage>
            {
                await server.Client.PostAsync("/v2/app/blobs/uploads/", null),
                await server.Client.PostAsync($"/v2/app/blobs/uploads/?digest={TestContent.DigestOf([1])}", content),
                await server.Client.PutManifestAsync("app", "v2", TestContent.OciManifest, image.Manifest),
                await server.Client.PatchAsync("/v2/app/blobs/uploads/0123456789abcdef0123456789abcdef", content),
                await server.Client.DeleteAsync($"/v2/app/manifests/{image.Digest}"),
                await server.Client.DeleteAsync($"/v2/app/blobs/{blob}"),
            };

            // RFC 9110: a 405 names what the endpoint allows, here reads only (an upload URL allows nothing).
            Assert.Empty(writes[0].Content.Headers.Allow);
            Assert.Equal(["GET", "HEAD"], writes[2].Content.Headers.Allow);
            Assert.Equal(["GET", "HEAD"], writes[3].Content.Headers.Allow);
            foreach (var write in writes)
            {
                Assert.Equal(HttpStatusCode.MethodNotAllowed, write.StatusCode);
                Assert.Equal("UNSUPPORTED", await write.ErrorCodeAsync());
                Assert.Contains("read-only", await write.Content.ReadAsStringAsync());
                write.Dispose();
            }

            using var manifest = await server.Client.GetAsync("/v2/app/manifests/v1");
            Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
            Assert.Equal(image.Layers[0], await server.Client.GetByteArrayAsync($"/v2/app/blobs/{TestContent.DigestOf(image.Layers[0])}"));
            Assert.Contains("v1", await server.Client.GetStringAsync("/v2/app/tags/list"));
            Assert.Contains("app", await server.Client.GetStringAsync("/v2/_catalog"));
        }
        finally
        {
            TempDirectory.Delete(storage);
        }
    }
}
