using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>
/// A Docker Engine of the test run's own, started once for every class in <see cref="ContainerEngines"/>:
/// Debian's dockerd on a containerd of its own, each with its root, state, exec root, pidfile and unix socket
/// under one temp directory, so the machine's engine (if it has one) is neither used nor changed. vfs storage
/// (no mounts needed), no iptables, no bridge: containers run with <c>--network host</c> or <c>none</c>.
/// <see cref="SkipReason"/> says why not when it cannot start.
/// </summary>
public sealed class DockerEngine : IAsyncLifetime
{
    /// <summary>The pull-through cache dockerd lists as its registry mirror; <see cref="ContainerEngines"/> ports.</summary>
    public const int MirrorPort = ContainerEngines.DockerMirrorPort;

    private readonly string _directory = TempDirectory.Create("docker-engine");
    private Containerd? _containerd;
    private EngineDaemon? _dockerd;

    public DockerEngine()
    {
        Images = new DockerImages(this);
    }

    public string? SkipReason { get; private set; }

    /// <summary>The base and registry images, made in this engine once per run on first use.</summary>
    public DockerImages Images { get; }

    public string Socket => Path.Combine(_directory, "docker.sock");

    public string ExecRoot => Path.Combine(_directory, "exec");

    /// <summary>A directory holding only <c>docker</c>: Debian's client, the daemon's own version. A newer client
    /// earlier on PATH (Docker 23 on) builds with BuildKit only through the buildx plugin, which it may lack.</summary>
    public string ClientDirectory => Path.Combine(_directory, "bin");

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root")
        {
            SkipReason = "dockerd needs root";
            return;
        }

        if (!File.Exists("/usr/sbin/dockerd") || !File.Exists("/usr/bin/docker"))
        {
            SkipReason = "dockerd is not installed (Debian: docker.io)";
            return;
        }

        (_containerd, var failure) = await Containerd.StartAsync(Path.Combine(_directory, "containerd"));
        if (_containerd is null)
        {
            SkipReason = $"dockerd's {failure}";
            return;
        }

        Directory.CreateDirectory(ClientDirectory);
        File.CreateSymbolicLink(Path.Combine(ClientDirectory, "docker"), "/usr/bin/docker");
        var config = Path.Combine(_directory, "daemon.json");
        await File.WriteAllTextAsync(config, $$"""{ "registry-mirrors": ["http://127.0.0.1:{{MirrorPort}}"] }""");
        _dockerd = EngineDaemon.Start(
            "/usr/sbin/dockerd",
            [
                "--config-file", config,
                "--containerd", _containerd.Socket,
                "--data-root", Path.Combine(_directory, "root"),
                "--exec-root", ExecRoot,
                "--pidfile", Path.Combine(_directory, "docker.pid"),
                "--host", $"unix://{Socket}",
                "--storage-driver", "vfs",
                "--iptables=false",
                "--ip6tables=false",
                "--ip-masq=false",
                "--bridge", "none",
            ],
            Path.Combine(_directory, "dockerd.log"));
        using var probe = Client();
        if (!await _dockerd.WaitUntilAsync(async () => (await probe.RunAsync("version")).ExitCode == 0, TimeSpan.FromSeconds(60)))
        {
            SkipReason = $"dockerd did not start:\n{_dockerd.LogTail()}";
        }
    }

    /// <summary>Skips the calling test when the engine did not start.</summary>
    public void RequireRunning() => Skip.If(SkipReason is not null, SkipReason);

    /// <summary>A client of this engine with a DOCKER_CONFIG of its own (its logins), removed on dispose.</summary>
    public DockerClient Client() => new(this);

    public async Task DisposeAsync()
    {
        if (_dockerd is not null)
        {
            await _dockerd.StopAsync();
        }

        if (_containerd is not null)
        {
            await _containerd.StopAsync();
        }

        // dockerd mounts a network namespace there and leaves it behind.
        var netns = Path.Combine(ExecRoot, "netns", "default");
        if (File.Exists(netns))
        {
            await ExternalCommand.RunAsync("umount", [netns]);
        }

        TempDirectory.Delete(_directory);
    }
}
