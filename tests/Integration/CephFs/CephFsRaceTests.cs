using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration.CephFs;

/// <summary>
/// Writers on two nodes racing each other on one CephFS store: a delete against a push of the same manifest, and
/// garbage collection against push loops on both nodes. Whatever was acknowledged stays whole.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class CephFsRaceTests(CephCluster ceph)
{
    private static readonly Dictionary<string, string> DeleteEnabled = new() { ["DELETE_ENABLED"] = "true" };

    [SkippableFact]
    public async Task DeleteByDigestOnNode2_RacingAPushOfTheSameManifestOnNode1_NoTagNamesAMissingManifest()
    {
        var store = ceph.CreateStore("delete-race");
        await using var a = await RegistryProcess.StartAsync(store.OnNode1, settings: DeleteEnabled);
        await using var b = await RegistryProcess.StartAsync(store.OnNode2, settings: DeleteEnabled);

        for (var round = 0; round < 8; round++)
        {
            var image = await a.Client.PushImageAsync("race/app", $"first-{round}");
            var retag = a.Client.PutManifestAsync("race/app", $"again-{round}", TestContent.OciManifest, image.Manifest);
            var delete = b.Client.DeleteAsync($"/v2/race/app/manifests/{image.Digest}");
            using var pushed = await retag;
            using var deleted = await delete;

            Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
            foreach (var instance in new[] { a, b })
            {
                // Either the delete came last (the tag went with it) or the push did (tag and manifest are back).
                using var byTag = await instance.Client.GetAsync($"/v2/race/app/manifests/again-{round}");
                if (byTag.StatusCode == HttpStatusCode.OK)
                {
                    await RegistryAudit.AssertManifestServedAsync(instance.Client, "race/app", image.Digest, image.Manifest);
                }
                else
                {
                    Assert.Equal(HttpStatusCode.NotFound, byTag.StatusCode);
                }

                using var first = await instance.Client.GetAsync($"/v2/race/app/manifests/first-{round}");
                Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
            }
        }

        Assert.Equal(
            await RegistryAudit.AssertConsistentAsync(a.Client),
            await RegistryAudit.AssertConsistentAsync(b.Client));
        await CephFsTwoInstanceTests.AssertVerifiesCleanAsync(store);
    }

    [SkippableFact]
    public async Task GarbageCollect_BesidePushLoopsOnBothNodes_EveryAcknowledgedPushStaysWholeAndOldGarbageGoes()
    {
        var store = ceph.CreateStore("gc");
        await using var a = await RegistryProcess.StartAsync(store.OnNode1);
        await using var b = await RegistryProcess.StartAsync(store.OnNode2);
        var bases = new[] { await a.Client.PushImageAsync("gc/a", "base"), await b.Client.PushImageAsync("gc/b", "base") };
        var garbage = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            garbage.Add(await a.Client.PushBlobAsync("gc/a", TestContent.RandomBytes(4096)));
        }

        StoreFiles.Backdate(store.OnNode1, TimeSpan.FromHours(2));
        var traffic = new[] { new PushTraffic(a.Client), new PushTraffic(b.Client) };
        var repositories = new[] { "gc/a", "gc/b" };
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, 2).Select(i => Task.Run(() => traffic[i].PushManifestsAsync(
            repositories[i], bases[i].Config, TestContent.Descriptor(TestContent.OciManifest, bases[i].Manifest), stop.Token))).ToList();

        var runs = 0;
        while (runs < 3 || traffic.Any(t => t.AcknowledgedManifests.Count < 6))
        {
            Assert.DoesNotContain(loops, l => l.IsFaulted);
            var (exitCode, stdout, stderr) = await MaintenanceRun.RunAsync(store.OnNode1, ["garbage-collect", "--delete-untagged"]);
            Assert.True(exitCode == 0, $"garbage-collect exited {exitCode}:\n{stdout}\n{stderr}");
            runs++;
        }

        await stop.CancelAsync();
        await Task.WhenAll(loops);

        for (var i = 0; i < 2; i++)
        {
            foreach (var instance in new[] { a, b })
            {
                await CephFsTwoInstanceTests.AssertImageServedAsync(instance.Client, repositories[i], "base", bases[i]);
                foreach (var (tag, manifest) in traffic[i].AcknowledgedManifests.Where(m => m.Key != "latest"))
                {
                    await RegistryAudit.AssertManifestServedAsync(instance.Client, repositories[i], tag, manifest);
                }
            }
        }

        foreach (var blob in garbage)
        {
            await RegistryAudit.AssertBlobAbsentAsync(b.Client, "gc/a", blob);
        }

        await RegistryAudit.AssertConsistentAsync(b.Client);
        await CephFsTwoInstanceTests.AssertVerifiesCleanAsync(store);
    }
}
