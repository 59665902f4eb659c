using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration.CephFs;

/// <summary>
/// Two registry instances on one CephFS directory, each through its own ceph-fuse mount as on two nodes: what
/// one acknowledges, the other serves at once, and racing writers leave a store that verifies clean.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class CephFsTwoInstanceTests(CephCluster ceph)
{
    [SkippableFact]
    public async Task Image_PushedThroughNode1_IsServedThroughNode2ByTagAndDigest()
    {
        var store = ceph.CreateStore("served");
        await using var a = await RegistryProcess.StartAsync(store.OnNode1);
        await using var b = await RegistryProcess.StartAsync(store.OnNode2);

        var image = await a.Client.PushImageAsync("team/app", "v1");

        await RegistryAudit.AssertManifestServedAsync(b.Client, "team/app", "v1", image.Manifest, TestContent.OciManifest);
        await RegistryAudit.AssertManifestServedAsync(b.Client, "team/app", image.Digest, image.Manifest, TestContent.OciManifest);
        foreach (var blob in image.Layers.Append(image.Config))
        {
            await RegistryAudit.AssertBlobIntactAsync(b.Client, "team/app", TestContent.DigestOf(blob), blob.Length);
        }
    }
}
