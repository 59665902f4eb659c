namespace NeonRegistry.Integration.Support;

/// <summary>
/// The tests that share one <see cref="CephCluster"/>: it starts once for all of them (about ten seconds) and
/// they run one after another, since they share its two mounts and one test kills a mount's client.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CephCollection : ICollectionFixture<CephCluster>
{
    public const string Name = "ceph";
}
