using NeonRegistry.Deployment.Support;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment;

/// <summary>The engines the suite starts are its own: their stores under the run's temp directory, vfs, native snapshots.</summary>
[Collection(ContainerEngines.Name)]
public sealed class ContainerEngineTests(DockerEngine docker, ContainerdEngine containerd, PodmanEngine podman)
{
    [SkippableFact]
    public async Task Dockerd_OfTheRun_UsesVfsAndARootOfItsOwn()
    {
        docker.RequireRunning();
        using var client = docker.Client();

        var info = await client.CheckedAsync("info", "--format", "{{.Driver}} {{.DockerRootDir}} {{.Swarm.LocalNodeState}}");

        var parts = info.Split(' ');
        Assert.Equal("vfs", parts[0]);
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "neon-registry-tests"), parts[1], StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Containerd_OfTheRun_OffersTheNativeSnapshotterOnlyAndNoCri()
    {
        containerd.RequireRunning();

        var plugins = await containerd.Containerd.CtrAsync(["plugins", "ls"]);

        Assert.True(plugins.ExitCode == 0, plugins.ToString());
        var loaded = plugins.Stdout.Split('\n').Where(line => line.Contains(" ok", StringComparison.Ordinal)).ToList();
        Assert.Contains(loaded, line => line.Contains("io.containerd.snapshotter.v1", StringComparison.Ordinal) && line.Contains("native", StringComparison.Ordinal));
        Assert.DoesNotContain(loaded, line => line.Contains("overlayfs", StringComparison.Ordinal));
        Assert.DoesNotContain(loaded, line => line.Contains("io.containerd.grpc.v1", StringComparison.Ordinal) && line.Contains(" cri ", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Podman_OfTheRun_UsesVfsInItsOwnStore()
    {
        podman.RequireRunning();

        var store = await podman.CheckedAsync("podman", "info", "--format", "{{.Store.GraphDriverName}} {{.Store.GraphRoot}}");

        var parts = store.Split(' ');
        Assert.Equal("vfs", parts[0]);
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "neon-registry-tests"), parts[1], StringComparison.Ordinal);
    }
}
