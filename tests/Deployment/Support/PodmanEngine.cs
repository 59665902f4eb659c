using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>
/// podman and buildah with a store of the run's own: storage.conf (vfs, own runroot and graphroot) and
/// containers.conf (cgroupfs, events to a file) under a temp directory, named to each command through
/// CONTAINERS_STORAGE_CONF and CONTAINERS_CONF, so the machine's configuration is neither read nor changed.
/// <c>podman run</c> does not work on this kind of machine (setrlimit is refused); pull, push and
/// <c>buildah bud --isolation chroot</c> do.
/// </summary>
public sealed class PodmanEngine : IAsyncLifetime
{
    private readonly string _directory = TempDirectory.Create("podman-engine");

    public string? SkipReason { get; private set; }

    /// <summary>The variables every podman and buildah call gets; a test may point CONTAINERS_REGISTRIES_CONF elsewhere.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["CONTAINERS_STORAGE_CONF"] = Path.Combine(_directory, "storage.conf"),
        ["CONTAINERS_CONF"] = Path.Combine(_directory, "containers.conf"),
        ["CONTAINERS_REGISTRIES_CONF"] = Path.Combine(_directory, "registries.conf"),
        ["REGISTRY_AUTH_FILE"] = Path.Combine(_directory, "auth.json"),
        ["TMPDIR"] = Path.Combine(_directory, "tmp"),
    };

    public async Task InitializeAsync()
    {
        if (!File.Exists("/usr/bin/podman") || !File.Exists("/usr/bin/buildah"))
        {
            SkipReason = "podman or buildah is not installed (Debian: podman buildah)";
            return;
        }

        Directory.CreateDirectory(Path.Combine(_directory, "tmp"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "storage.conf"), $"""
            [storage]
            driver = "vfs"
            runroot = "{_directory}/run"
            graphroot = "{_directory}/graph"
            """);
        await File.WriteAllTextAsync(Path.Combine(_directory, "containers.conf"), $"""
            [engine]
            cgroup_manager = "cgroupfs"
            events_logger = "file"
            events_logfile_path = "{_directory}/events.log"
            tmp_dir = "{_directory}/tmp"
            """);
        await File.WriteAllTextAsync(Path.Combine(_directory, "registries.conf"), "unqualified-search-registries = []\n");
        await File.WriteAllTextAsync(Path.Combine(_directory, "auth.json"), "{}\n");
        var info = await RunAsync("podman", ["info", "--format", "{{.Store.GraphDriverName}}"]);
        if (info.ExitCode != 0)
        {
            SkipReason = $"podman does not work here: {info.Output.Trim()}";
        }
    }

    public void RequireRunning() => Skip.If(SkipReason is not null, SkipReason);

    /// <summary>podman or buildah with this store, and any further variables (a registries.conf, say).</summary>
    public Task<CommandResult> RunAsync(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>(Environment);
        foreach (var (name, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        return ExternalCommand.RunAsync($"/usr/bin/{program}", arguments, environment, timeout: TimeSpan.FromMinutes(3));
    }

    public async Task<string> CheckedAsync(string program, params string[] arguments) => (await RunAsync(program, arguments, null)).EnsureSuccess().Stdout.Trim();

    public Task DisposeAsync()
    {
        TempDirectory.Delete(_directory);
        return Task.CompletedTask;
    }
}
