namespace NeonRegistry.Integration.Support;

/// <summary>One directory on the CephFS, as node 1 and node 2 see it through their own ceph-fuse mounts.</summary>
public sealed record CephStore(string OnNode1, string OnNode2)
{
    public string On(int node) => node == 1 ? OnNode1 : OnNode2;
}
