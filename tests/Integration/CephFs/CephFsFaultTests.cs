using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration.CephFs;

/// <summary>
/// Faults on one node of two sharing a CephFS store: its registry SIGKILLed mid-push, or its ceph-fuse client
/// killed mid-upload (the node lost). The other node serves what was acknowledged, never a part of a blob, and
/// takes over the upload; the lost node's locks go when the metadata server evicts its client.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class CephFsFaultTests(CephCluster ceph)
{
    private const int MiB = 1024 * 1024;
    private static readonly TimeSpan InFlightTimeout = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task RegistryOnNode1_KilledMidPush_Node2ServesTheAcknowledgedAndResumesTheUpload()
    {
        var store = ceph.CreateStore("kill-registry");
        await using var a = await RegistryProcess.StartAsync(store.OnNode1);
        await using var b = await RegistryProcess.StartAsync(store.OnNode2);
        var committed = await a.Client.PushImageAsync("crash/loop", "base");
        var traffic = new PushTraffic(a.Client);
        using var stop = new CancellationTokenSource();
        var (location, patch, body, content) = await StartStreamedPatchAsync(a.Client, "crash/stream", 0, stop.Token);
        var loops = new[]
        {
            Task.Run(() => traffic.PushBlobsAsync("crash/blobs", 128 * 1024, stop.Token)),
            Task.Run(() => traffic.PushManifestsAsync("crash/loop", committed.Config, TestContent.Descriptor(TestContent.OciManifest, committed.Manifest), stop.Token)),
        };
        await WaitUntilAsync(async () => traffic.AcknowledgedBlobs.Count >= 3 && traffic.AcknowledgedManifests.Count >= 3
            && await RegistryApi.UploadedLengthAsync(a.Client, location) >= MiB, [patch, .. loops]);

        a.Kill();
        await stop.CancelAsync();
        await Task.WhenAll(loops).WaitAsync(InFlightTimeout);
        await Assert.ThrowsAnyAsync<Exception>(() => patch.WaitAsync(InFlightTimeout));

        await CephFsTwoInstanceTests.AssertImageServedAsync(b.Client, "crash/loop", "base", committed);
        foreach (var blob in traffic.AcknowledgedBlobs)
        {
            await RegistryAudit.AssertBlobIntactAsync(b.Client, "crash/blobs", TestContent.DigestOf(blob), blob.Length);
        }

        foreach (var blob in traffic.AttemptedBlobs.Except(traffic.AcknowledgedBlobs))
        {
            await RegistryAudit.AssertAbsentOrIntactAsync(b.Client, "crash/blobs", blob);
        }

        foreach (var (tag, manifest) in traffic.AcknowledgedManifests.Where(m => m.Key != "latest"))
        {
            await RegistryAudit.AssertManifestServedAsync(b.Client, "crash/loop", tag, manifest);
        }

        await AssertResumesAsync(b.Client, "crash/stream", location, content, landedAtLeast: 1, body.Sent);
        await RegistryAudit.AssertConsistentAsync(b.Client);
        await CephFsTwoInstanceTests.AssertVerifiesCleanAsync(store);
    }

    [SkippableFact]
    public async Task CephFuseOfNode1_KilledMidUpload_Node1IsUnreadyAndAfterEvictionNode2TakesTheUploadOver()
    {
        var store = ceph.CreateStore("lost-node");
        await using var b = await RegistryProcess.StartAsync(store.OnNode2);
        var a = await RegistryProcess.StartAsync(store.OnNode1);
        try
        {
            var committed = await a.Client.PushImageAsync("lost/app", "v1");
            using var stop = new CancellationTokenSource();
            var (location, patch, body, content) = await StartStreamedPatchAsync(a.Client, "lost/upload", MiB, stop.Token);
            await WaitUntilAsync(async () => await RegistryApi.UploadedLengthAsync(a.Client, location) >= 2 * MiB, [patch]);

            await ceph.KillClientAsync(1);

            // The registry on the lost mount says so, and stays up to say it.
            using var unready = await a.Client.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unready.StatusCode);
            Assert.Contains("Transport endpoint is not connected", await unready.Content.ReadAsStringAsync());

            // An operator evicts the lost client; until then its capabilities and its lock on the upload hold
            // node 2's access to that upload back (until the session times out).
            Assert.NotEmpty(await ceph.EvictClientAsync(1));
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => patch.WaitAsync(InFlightTimeout));

            await RegistryAudit.AssertBlobAbsentAsync(b.Client, "lost/upload", TestContent.DigestOf(content));
            await CephFsTwoInstanceTests.AssertImageServedAsync(b.Client, "lost/app", "v1", committed);
            // What node 1 acknowledged was flushed before it answered, so it survives the node; what it had not yet
            // acknowledged may sit lost in the dead client's cache.
            await AssertResumesAsync(b.Client, "lost/upload", location, content, landedAtLeast: MiB, MiB + body.Sent);
            await RegistryAudit.AssertConsistentAsync(b.Client);
            await CephFsTwoInstanceTests.AssertVerifiesCleanAsync(store);
        }
        finally
        {
            a.Kill();
            await a.DisposeAsync();
            await ceph.RemountAsync(1);
        }

        // The node back: a fresh mount sees what node 2 finished.
        await using var again = await RegistryProcess.StartAsync(store.OnNode1);
        await RegistryAudit.AssertConsistentAsync(again.Client);
    }

    /// <summary>
    /// An upload whose first <paramref name="acknowledged"/> bytes went in one finished PATCH, then a chunked PATCH
    /// of the rest that sends 1 MiB at once and trickles the remainder until cancelled.
    /// </summary>
    private static async Task<(Uri Location, Task<HttpResponseMessage> Patch, ThrottledContent Body, byte[] Content)> StartStreamedPatchAsync(
        HttpClient client, string repository, int acknowledged, CancellationToken stop)
    {
        var content = TestContent.RandomBytes(6 * MiB);
        using var started = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!;
        if (acknowledged > 0)
        {
            var first = RegistryApi.Octets(content, 0, acknowledged);
            first.Headers.TryAddWithoutValidation("Content-Range", $"0-{acknowledged - 1}");
            using var patched = await client.PatchAsync(location, first);
            Assert.Equal(HttpStatusCode.Accepted, patched.StatusCode);
            location = patched.Headers.Location!;
        }

        var body = new ThrottledContent(content[acknowledged..], burst: MiB, pieceSize: 16 * 1024, TimeSpan.FromMilliseconds(100), declareLength: false);
        return (location, client.PatchAsync(location, body, stop), body, content);
    }

    /// <summary>
    /// Asks for the upload's status, sends the rest from where the store says it stands, and commits it. A 416
    /// means the upload grew after the status: after an eviction the metadata server recovers the size of a file the
    /// lost client was writing from what reached the OSDs, so the status is asked again, as a client does.
    /// </summary>
    private static async Task AssertResumesAsync(HttpClient client, string repository, Uri location, byte[] content, int landedAtLeast, long sent)
    {
        var digest = TestContent.DigestOf(content);
        var answers = new List<string>();
        HttpResponseMessage resumed;
        do
        {
            using var status = await client.GetAsync(location);
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            var landed = (int)(RegistryApi.RangeEnd(status) + 1);
            Assert.InRange(landed, landedAtLeast, sent);
            var rest = RegistryApi.Octets(content, landed);
            rest.Headers.TryAddWithoutValidation("Content-Range", $"{landed}-{content.Length - 1}");
            resumed = await client.PatchAsync(status.Headers.Location, rest);
            answers.Add($"{landed}: {(int)resumed.StatusCode} {resumed.Header("Range")}");
        }
        while (resumed.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && answers.Count < 10);

        using (resumed)
        {
            Assert.True(resumed.StatusCode == HttpStatusCode.Accepted, string.Join("; ", answers));
            using var finished = await client.PutAsync($"{resumed.Headers.Location}&digest={digest}", null);
            Assert.Equal(HttpStatusCode.Created, finished.StatusCode);
        }

        await RegistryAudit.AssertBlobIntactAsync(client, repository, digest, content.Length);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, IReadOnlyCollection<Task> inFlight)
    {
        using var timeout = new CancellationTokenSource(InFlightTimeout);
        while (!await condition())
        {
            if (inFlight.FirstOrDefault(t => t.IsCompleted) is { } done)
            {
                await done;
                throw new Xunit.Sdk.XunitException("a request ended before the fault could land mid-push");
            }

            Assert.False(timeout.IsCancellationRequested, $"waited {InFlightTimeout} for the pushes to get under way");
            await Task.Delay(20);
        }
    }
}
