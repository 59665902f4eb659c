using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>
/// A containerd of the run's own for ctr (see <see cref="Containerd"/>), started once for the classes of
/// <see cref="ContainerEngines"/>; <see cref="SkipReason"/> says why not when it cannot start.
/// </summary>
public sealed class ContainerdEngine : IAsyncLifetime
{
    private readonly string _directory = TempDirectory.Create("containerd-engine");

    public string? SkipReason { get; private set; }

    public Containerd Containerd { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root")
        {
            SkipReason = "containerd needs root";
            return;
        }

        var (containerd, failure) = await Containerd.StartAsync(_directory);
        if (containerd is null)
        {
            SkipReason = failure;
            return;
        }

        Containerd = containerd;
    }

    public void RequireRunning() => Skip.If(SkipReason is not null, SkipReason);

    public async Task DisposeAsync()
    {
        if (SkipReason is null)
        {
            await Containerd.StopAsync();
        }

        TempDirectory.Delete(_directory);
    }
}
