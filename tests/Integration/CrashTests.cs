using System.Net;
using System.Text.Json;
using NeonRegistry.Api;
using NeonRegistry.Configuration;
using NeonRegistry.Integration.Support;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Integration;

/// <summary>
/// A registry process SIGKILLed mid-push, then started again on the same store: what was acknowledged is served
/// intact, what was in flight is either absent or whole, and nothing points at content that is not there.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private static readonly TimeSpan InFlightTimeout = TimeSpan.FromSeconds(30);

    private readonly string _store = TempDirectory.Create("crash-store");

    public void Dispose() => TempDirectory.Delete(_store);

    [Fact]
    public async Task Kill_DuringPushes_RestartServesCommittedContentOnly()
    {
        await using var first = await RegistryProcess.StartAsync(_store);
        var client = first.Client;
        var committed = await client.PushImageAsync("crash/loop", "base");
        var committedBlob = TestContent.RandomBytes(2 * MiB);
        await client.PushBlobAsync("crash/loop", committedBlob);
        var subject = TestContent.Descriptor(TestContent.OciManifest, committed.Manifest);
        using var stop = new CancellationTokenSource();

        // Held mid-body until the kill: a streamed PATCH, a monolithic push and a manifest.
        var streamed = TestContent.RandomBytes(6 * MiB);
        using var started = await client.PostAsync("/v2/crash/stream/blobs/uploads/", null);
        var location = started.Headers.Location!;
        var streamBody = new ThrottledContent(streamed, burst: MiB, pieceSize: 16 * 1024, TimeSpan.FromMilliseconds(100), declareLength: false);
        var streamPatch = client.PatchAsync(location, streamBody, stop.Token);
        var held = TestContent.RandomBytes(MiB);
        var heldBody = new ThrottledContent(held, burst: MiB / 2, pieceSize: 1024, TimeSpan.FromSeconds(1), declareLength: true);
        var heldPush = client.PostAsync($"/v2/crash/held/blobs/uploads/?digest={TestContent.DigestOf(held)}", heldBody, stop.Token);
        var heldManifest = TestContent.Manifest(TestContent.OciManifest, TestContent.OciConfig, committed.Config, [(TestContent.OciLayer, committed.Layers[0])]);
        var heldManifestBody = new ThrottledContent(heldManifest, burst: heldManifest.Length / 2, pieceSize: 1, TimeSpan.FromSeconds(1), declareLength: true);
        heldManifestBody.Headers.ContentType = new(TestContent.OciManifest);
        var heldManifestPut = client.PutAsync("/v2/crash/loop/manifests/held", heldManifestBody, stop.Token);

        // Running back to back, so the kill lands wherever they happen to be.
        var traffic = new PushTraffic(client);
        var loops = new[]
        {
            Task.Run(() => traffic.PushBlobsAsync("crash/blobs", 256 * 1024, stop.Token)),
            Task.Run(() => traffic.PushBlobsAsync("crash/blobs", 64 * 1024, stop.Token)),
            Task.Run(() => traffic.PushManifestsAsync("crash/loop", committed.Config, subject, stop.Token)),
        };
        var inFlight = loops.Concat([streamPatch, heldPush, heldManifestPut]).ToList();
        await WaitUntilAsync(
            async () => heldBody.BurstSent.IsCompletedSuccessfully && heldManifestBody.BurstSent.IsCompletedSuccessfully
                && traffic.AcknowledgedBlobs.Count >= 4 && traffic.AcknowledgedManifests.Count >= 4
                && await RegistryApi.UploadedLengthAsync(client, location) >= MiB,
            inFlight,
            "every push in flight");

        first.Kill();
        await stop.CancelAsync();
        await Task.WhenAll(loops).WaitAsync(InFlightTimeout);
        foreach (var request in new[] { streamPatch, heldPush, heldManifestPut })
        {
            await Assert.ThrowsAnyAsync<Exception>(() => request.WaitAsync(InFlightTimeout));
        }

        Assert.InRange(streamBody.Sent, MiB, streamed.Length - 1);
        await using var second = await RegistryProcess.StartAsync(_store);
        client = second.Client;

        await RegistryAudit.AssertManifestServedAsync(client, "crash/loop", "base", committed.Manifest);
        await RegistryAudit.AssertBlobIntactAsync(client, "crash/loop", TestContent.DigestOf(committedBlob), committedBlob.Length);
        await RegistryAudit.AssertBlobAbsentAsync(client, "crash/stream", TestContent.DigestOf(streamed));
        await RegistryAudit.AssertBlobAbsentAsync(client, "crash/held", TestContent.DigestOf(held));
        foreach (var reference in new[] { "held", TestContent.DigestOf(heldManifest) })
        {
            using var heldManifestGet = await client.GetAsync($"/v2/crash/loop/manifests/{reference}");
            Assert.Equal(HttpStatusCode.NotFound, heldManifestGet.StatusCode);
            Assert.Equal("MANIFEST_UNKNOWN", await heldManifestGet.ErrorCodeAsync());
        }

        await AssertTrafficSurvivedAsync(client, traffic);
        await AssertReferrersResolveAsync(client, "crash/loop", committed.Digest, traffic.AcknowledgedManifests.Values);
        var seen = await RegistryAudit.AssertConsistentAsync(client);
        Assert.Contains("crash/loop", seen.Keys);
        Assert.Contains("base", seen["crash/loop"].Keys);
    }

    [Fact]
    public async Task Kill_MidStreamedPatch_UploadResumesFromWhatLanded()
    {
        await using var first = await RegistryProcess.StartAsync(_store);
        var content = TestContent.RandomBytes(4 * MiB);
        var digest = TestContent.DigestOf(content);
        using var started = await first.Client.PostAsync("/v2/app/blobs/uploads/", null);
        var location = started.Headers.Location!;
        using var stop = new CancellationTokenSource();
        var body = new ThrottledContent(content, burst: MiB, pieceSize: 16 * 1024, TimeSpan.FromMilliseconds(100), declareLength: false);
        var patch = first.Client.PatchAsync(location, body, stop.Token);
        await WaitUntilAsync(async () => await RegistryApi.UploadedLengthAsync(first.Client, location) >= MiB, [patch], "the first MiB on disk");

        first.Kill();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => patch.WaitAsync(InFlightTimeout));
        await using var second = await RegistryProcess.StartAsync(_store);

        await RegistryAudit.AssertBlobAbsentAsync(second.Client, "app", digest);
        using var status = await second.Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        var landed = RegistryApi.RangeEnd(status) + 1;
        Assert.InRange(landed, MiB, body.Sent);
        var rest = RegistryApi.Octets(content, (int)landed);
        rest.Headers.TryAddWithoutValidation("Content-Range", $"{landed}-{content.Length - 1}");
        using var resumed = await second.Client.PatchAsync(status.Headers.Location, rest);
        Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        using var finished = await second.Client.PutAsync($"{resumed.Headers.Location}&digest={digest}", null);
        Assert.Equal(HttpStatusCode.Created, finished.StatusCode);
        await RegistryAudit.AssertBlobIntactAsync(second.Client, "app", digest, content.Length);
    }

    [Fact]
    public async Task PlantedPartialFiles_AfterRestart_AreNeverVisible()
    {
        PushedImage image;
        await using (var first = await RegistryProcess.StartAsync(_store))
        {
            image = await first.Client.PushImageAsync("planted/app", "v1");
            first.Kill();
        }

        // What a crash inside AtomicFile or mid-upload leaves: a temp file that never got renamed into place (even
        // with the repository link that would expose the blob), and an upload holding only part of its content.
        var layout = new StorageLayout(_store);
        var name = RepositoryName.Parse("planted/app");
        var halfWritten = TestContent.RandomBytes(64 * 1024);
        var halfWrittenDigest = Digest.Parse(TestContent.DigestOf(halfWritten));
        await File.WriteAllBytesAsync(AtomicFile.TempPathFor(layout.Blob(halfWrittenDigest)), halfWritten[..(halfWritten.Length / 2)]);
        Directory.CreateDirectory(Path.GetDirectoryName(layout.LayerLink(name, halfWrittenDigest))!);
        await File.WriteAllBytesAsync(layout.LayerLink(name, halfWrittenDigest), []);
        await File.WriteAllTextAsync(AtomicFile.TempPathFor(layout.TagLink(name, "v2")), "sha256:0123");
        var referrer = layout.ReferrerLink(name, Digest.Parse(image.Digest), halfWrittenDigest);
        await File.WriteAllTextAsync(AtomicFile.TempPathFor(referrer), """{"mediaType":"application/vnd.oci.image.manif""");
        var truncated = TestContent.RandomBytes(64 * 1024);
        var truncatedDigest = TestContent.DigestOf(truncated);
        var uploadId = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(layout.Upload(uploadId));
        await File.WriteAllBytesAsync(layout.UploadData(uploadId), truncated[..1000]);
        // A genuine state vouching for all of the content, as a client would hold if the store lost the tail later.
        var tokens = new UploadStateToken(new RegistryOptions { StoragePath = _store, Port = 0, Secret = RegistryServer.TestSecret, Username = null, Password = null, InstanceName = "test" });
        var claim = tokens.Sign(new UploadState("planted/app", uploadId, truncated.Length, truncatedDigest["sha256:".Length..]));

        await using var second = await RegistryProcess.StartAsync(_store);
        var client = second.Client;

        await RegistryAudit.AssertBlobAbsentAsync(client, "planted/app", halfWrittenDigest.ToString());
        await RegistryAudit.AssertBlobAbsentAsync(client, "planted/app", truncatedDigest);
        using var tags = await client.GetAsync("/v2/planted/app/tags/list");
        Assert.Equal(["v1"], await JsonListAsync(tags, "tags"));
        using var referrers = await client.GetAsync($"/v2/planted/app/referrers/{image.Digest}");
        Assert.Equal(HttpStatusCode.OK, referrers.StatusCode);
        Assert.Empty(await JsonListAsync(referrers, "manifests"));
        using var commit = await client.PutAsync($"/v2/planted/app/blobs/uploads/{uploadId}?_state={claim}&digest={truncatedDigest}", null);
        Assert.Equal(HttpStatusCode.BadRequest, commit.StatusCode);
        Assert.Equal("DIGEST_INVALID", await commit.ErrorCodeAsync());
        await RegistryAudit.AssertBlobAbsentAsync(client, "planted/app", truncatedDigest);
        foreach (var missing in new[] { halfWritten, truncated })
        {
            var manifest = TestContent.Manifest(TestContent.OciManifest, TestContent.OciConfig, image.Config, [(TestContent.OciLayer, missing)]);
            using var refused = await client.PutManifestAsync("planted/app", "v2", TestContent.OciManifest, manifest);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("MANIFEST_BLOB_UNKNOWN", await refused.ErrorCodeAsync());
        }

        var seen = await RegistryAudit.AssertConsistentAsync(client);
        Assert.Equal(["planted/app"], seen.Keys);

        // The leftovers do not stand in the way of pushing the same content properly.
        await client.PushBlobAsync("planted/app", halfWritten);
        await RegistryAudit.AssertBlobIntactAsync(client, "planted/app", halfWrittenDigest.ToString(), halfWritten.Length);
    }

    private static async Task AssertTrafficSurvivedAsync(HttpClient client, PushTraffic traffic)
    {
        foreach (var blob in traffic.AcknowledgedBlobs)
        {
            await RegistryAudit.AssertBlobIntactAsync(client, "crash/blobs", TestContent.DigestOf(blob), blob.Length);
        }

        foreach (var blob in traffic.AttemptedBlobs.Except(traffic.AcknowledgedBlobs))
        {
            await RegistryAudit.AssertAbsentOrIntactAsync(client, "crash/blobs", blob);
        }

        foreach (var (tag, manifest) in traffic.AcknowledgedManifests.Where(m => m.Key != "latest"))
        {
            await RegistryAudit.AssertManifestServedAsync(client, "crash/loop", tag, manifest);
        }

        foreach (var (tag, manifest) in traffic.AttemptedManifests.Where(m => m.Key != "latest" && !traffic.AcknowledgedManifests.ContainsKey(m.Key)))
        {
            using var response = await client.GetAsync($"/v2/crash/loop/manifests/{tag}");
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                Assert.Equal(manifest, await response.Content.ReadAsByteArrayAsync());
            }
        }

        // "latest" moved every round: it holds the last acknowledged manifest or the one in flight.
        using var latest = await client.GetAsync("/v2/crash/loop/manifests/latest");
        Assert.Equal(HttpStatusCode.OK, latest.StatusCode);
        var latestBytes = await latest.Content.ReadAsByteArrayAsync();
        Assert.Contains(latestBytes, new[] { traffic.AcknowledgedManifests["latest"], traffic.AttemptedManifests["latest"] });
    }

    private static async Task AssertReferrersResolveAsync(HttpClient client, string repository, string subject, IEnumerable<byte[]> acknowledged)
    {
        using var response = await client.GetAsync($"/v2/{repository}/referrers/{subject}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var index = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var listed = index.RootElement.GetProperty("manifests").EnumerateArray().Select(d => d.GetProperty("digest").GetString()!).ToHashSet();
        foreach (var digest in listed)
        {
            using var manifest = await client.GetAsync($"/v2/{repository}/manifests/{digest}");
            Assert.True(manifest.StatusCode == HttpStatusCode.OK, $"referrer {digest} is listed but answers {(int)manifest.StatusCode}");
        }

        Assert.Superset(acknowledged.Select(TestContent.DigestOf).ToHashSet(), listed);
    }

    private static async Task<IReadOnlyList<string>> JsonListAsync(HttpResponseMessage response, string property)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty(property).EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetProperty("digest").GetString()!)
            .ToList();
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails early if a request it waits on already failed.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, IReadOnlyCollection<Task> inFlight, string what)
    {
        using var timeout = new CancellationTokenSource(InFlightTimeout);
        while (!await condition())
        {
            if (inFlight.FirstOrDefault(t => t.IsCompleted) is { } done)
            {
                await done;
                throw new Xunit.Sdk.XunitException($"a request ended before {what}: the kill would not land mid-push");
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"waited {InFlightTimeout} for {what}");
            }

            await Task.Delay(20);
        }
    }
}
