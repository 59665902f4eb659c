using System.Collections.Concurrent;
using System.Net;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// Pushes that run back to back until the server goes away, recording what was attempted and what the server
/// acknowledged, so a test can check afterwards that every acknowledged push survived a crash intact and an
/// unacknowledged one is either absent or whole.
/// </summary>
public sealed class PushTraffic(HttpClient client)
{
    public const string ArtifactType = "application/vnd.neon-registry.test.crash";

    public ConcurrentQueue<byte[]> AttemptedBlobs { get; } = new();

    public ConcurrentQueue<byte[]> AcknowledgedBlobs { get; } = new();

    /// <summary>Manifest bytes by the tag they were pushed under.</summary>
    public ConcurrentDictionary<string, byte[]> AttemptedManifests { get; } = new();

    public ConcurrentDictionary<string, byte[]> AcknowledgedManifests { get; } = new();

    /// <summary>Monolithic blob pushes (POST ?digest=) until the connection fails.</summary>
    public async Task PushBlobsAsync(string repository, int size, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var content = TestContent.RandomBytes(size);
            AttemptedBlobs.Enqueue(content);
            using var response = await SendOrNullAsync(
                () => client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={TestContent.DigestOf(content)}", RegistryApi.Octets(content), cancellationToken));
            if (response is null)
            {
                return;
            }

            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            AcknowledgedBlobs.Enqueue(content);
        }
    }

    /// <summary>
    /// Per round: a new layer, then a manifest of it (referring to <paramref name="subject"/>) under a new tag,
    /// then the same manifest under "latest", so tags are both created and moved while the server dies.
    /// </summary>
    public async Task PushManifestsAsync(string repository, byte[] config, object subject, CancellationToken cancellationToken)
    {
        for (var round = 0; !cancellationToken.IsCancellationRequested; round++)
        {
            var layer = TestContent.RandomBytes(16 * 1024);
            using var pushed = await SendOrNullAsync(
                () => client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={TestContent.DigestOf(layer)}", RegistryApi.Octets(layer), cancellationToken));
            if (pushed is null)
            {
                return;
            }

            Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
            var manifest = TestContent.Manifest(
                TestContent.OciManifest, TestContent.OciConfig, config, [(TestContent.OciLayer, layer)], subject, ArtifactType);
            var tag = $"round-{round}";
            AttemptedManifests[tag] = manifest;
            AttemptedManifests["latest"] = manifest;
            foreach (var reference in new[] { tag, "latest" })
            {
                using var response = await SendOrNullAsync(() => client.PutManifestAsync(repository, reference, TestContent.OciManifest, manifest));
                if (response is null)
                {
                    return;
                }

                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                AcknowledgedManifests[reference] = manifest;
            }
        }
    }

    /// <summary>The response, or null when the server died under the request (or the test stopped it).</summary>
    private static async Task<HttpResponseMessage?> SendOrNullAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send();
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }
}
