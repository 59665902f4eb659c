using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>
/// A containerd of the tests' own in <see cref="Directory"/>: its root, state and sockets there, the CRI and every
/// snapshotter but native disabled (native copies instead of mounting, which works in any container or VM).
/// Started by <see cref="ContainerdEngine"/> for ctr and by <see cref="DockerEngine"/> beneath dockerd.
/// </summary>
public sealed class Containerd
{
    private static readonly string[] DisabledPlugins =
    [
        "io.containerd.grpc.v1.cri",
        "io.containerd.snapshotter.v1.aufs",
        "io.containerd.snapshotter.v1.btrfs",
        "io.containerd.snapshotter.v1.devmapper",
        "io.containerd.snapshotter.v1.overlayfs",
        "io.containerd.snapshotter.v1.zfs",
    ];

    private readonly EngineDaemon _daemon;

    private Containerd(string directory, EngineDaemon daemon)
    {
        Directory = directory;
        _daemon = daemon;
    }

    public string Directory { get; }

    public string Socket => Path.Combine(Directory, "containerd.sock");

    /// <summary>Starts it and waits until ctr gets an answer; null and <paramref name="failure"/> when it does not.</summary>
    public static async Task<(Containerd? Containerd, string? Failure)> StartAsync(string directory)
    {
        if (!File.Exists("/usr/bin/containerd"))
        {
            return (null, "containerd is not installed (Debian: containerd)");
        }

        System.IO.Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "config.toml");
        var disabled = string.Join(", ", DisabledPlugins.Select(p => $"\"{p}\""));
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{directory}/root"
            state = "{directory}/state"
            disabled_plugins = [{disabled}]
            [grpc]
              address = "{directory}/containerd.sock"
            [ttrpc]
              address = "{directory}/containerd.sock.ttrpc"
            [debug]
              address = ""
            [metrics]
              address = ""
            """);
        var daemon = EngineDaemon.Start("/usr/bin/containerd", ["--config", config], Path.Combine(directory, "containerd.log"));
        var containerd = new Containerd(directory, daemon);
        if (!await daemon.WaitUntilAsync(async () => (await containerd.CtrAsync(["version"])).ExitCode == 0, TimeSpan.FromSeconds(30)))
        {
            var log = daemon.LogTail();
            await daemon.StopAsync();
            return (null, $"containerd did not start:\n{log}");
        }

        return (containerd, null);
    }

    /// <summary>ctr against this containerd, in the given namespace.</summary>
    public Task<CommandResult> CtrAsync(IEnumerable<string> arguments, string ns = "default", TimeSpan? timeout = null) =>
        ExternalCommand.RunAsync("ctr", ["--address", Socket, "--namespace", ns, .. arguments], timeout: timeout ?? TimeSpan.FromMinutes(2));

    public Task StopAsync() => _daemon.StopAsync();
}
