using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>
/// The container engines the tests start once per run and share: dockerd, containerd for ctr, podman and
/// buildah. Its classes run after the parallel tests, one at a time: they share the engines, and building the
/// image loads every core. Fixed ports (containers use the host's network) come from this block only.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ContainerEngines : ICollectionFixture<DockerEngine>, ICollectionFixture<ContainerdEngine>, ICollectionFixture<PodmanEngine>
{
    public const string Name = "container engines";

    /// <summary>Where dockerd expects its registry mirror (daemon.json is written before it starts).</summary>
    public const int DockerMirrorPort = 22500;

    /// <summary>The first of the ports containers of the image tests publish on the host network.</summary>
    public const int ImagePorts = 22100;

    /// <summary>The port scripts/upgrade-cache.sh publishes the cache on in its tests, and one taken to make it fail.</summary>
    public const int UpgradePort = 22200;

    /// <summary>The swarm test's service port, then the swarm's own listen and data-path ports.</summary>
    public const int SwarmPorts = 22300;
}
