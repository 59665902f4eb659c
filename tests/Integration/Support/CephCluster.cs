using System.Diagnostics;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// A real single-host Ceph cluster with a CephFS mounted twice through ceph-fuse, as two nodes would mount it,
/// brought up once for every test of <see cref="CephCollection"/> and torn down after the last
/// (scripts/ceph-cluster.sh does the work: one mon, mgr, memstore OSD and MDS on 127.0.0.1, ports 23000-23199).
/// When Ceph is not installed or does not start, every test of the collection skips and says why.
/// </summary>
public sealed class CephCluster : IAsyncLifetime
{
    /// <summary>The monitor's port; the other daemons bind within the next 200 (this suite's fixed-port range).</summary>
    public const int PortBase = 23000;

    private static readonly string Script = RepositoryRoot.File("scripts/ceph-cluster.sh");
    private static readonly string[] Daemons = ["ceph-mon", "ceph-mgr", "ceph-osd", "ceph-mds", "ceph-fuse", "fusermount3"];

    private readonly IMessageSink _diagnostics;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "neon-registry-tests", $"ceph-{Guid.NewGuid():N}");
    private string? _skipReason;

    public CephCluster(IMessageSink diagnostics)
    {
        _diagnostics = diagnostics;
    }

    /// <summary>How long the cluster took from nothing to two mounted clients.</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>The first line of <c>ceph --version</c>.</summary>
    public string Version { get; private set; } = "";

    public string ConfigPath => Path.Combine(_directory, "ceph.conf");

    /// <summary>Where node 1 or node 2 has the file system mounted.</summary>
    public string MountPath(int node) => Path.Combine(_directory, "mnt", node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Skips the calling test (xunit's SkippableFact) when the cluster is not running.</summary>
    public void SkipUnlessRunning() => Skip.If(_skipReason is not null, _skipReason);

    /// <summary>A fresh, empty directory on the file system, and its path as each node sees it.</summary>
    public CephStore CreateStore(string purpose)
    {
        SkipUnlessRunning();
        var relative = Path.Combine("stores", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(MountPath(1), relative));
        return new CephStore(Path.Combine(MountPath(1), relative), Path.Combine(MountPath(2), relative));
    }

    /// <summary>SIGKILLs the node's ceph-fuse: its mount answers ENOTCONN, and the MDS keeps its session and locks.</summary>
    public Task KillClientAsync(int node) => RunScriptAsync("kill-client", node);

    /// <summary>Evicts the node's (killed) client from the MDS, as an operator does for a lost node.</summary>
    /// <returns>The client id evicted.</returns>
    public async Task<string> EvictClientAsync(int node) => (await RunScriptAsync("evict", node)).Stdout.Trim();

    /// <summary>Detaches the node's mount, dead or alive, and mounts the file system there again.</summary>
    public Task RemountAsync(int node) => RunScriptAsync("remount", node);

    public async Task InitializeAsync()
    {
        var missing = Daemons.Where(d => !OnPath(d)).ToList();
        if (missing.Count > 0 || !File.Exists("/dev/fuse"))
        {
            _skipReason = missing.Count > 0
                ? $"Ceph is not installed ({string.Join(", ", missing)} missing; scripts/test.sh installs it)"
                : "no /dev/fuse: ceph-fuse cannot mount here";
            return;
        }

        Version = (await ExternalCommand.RunAsync("ceph", ["--version"])).Stdout.Split('\n')[0];
        var started = Stopwatch.StartNew();
        var up = await ExternalCommand.RunAsync("bash", [Script, "up", _directory, PortBase.ToString(System.Globalization.CultureInfo.InvariantCulture), "2"], timeout: TimeSpan.FromMinutes(3));
        StartTime = started.Elapsed;
        if (up.ExitCode != 0)
        {
            _skipReason = $"Ceph did not start ({up.Stderr.Trim()}); logs in {_directory}/log";
            return;
        }

        AppDomain.CurrentDomain.ProcessExit += TearDownOnExit;
        _diagnostics.OnMessage(new DiagnosticMessage($"{Version}: cluster and two ceph-fuse mounts up in {StartTime.TotalSeconds:F1} s"));
    }

    public async Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= TearDownOnExit;
        if (Directory.Exists(_directory))
        {
            await ExternalCommand.RunAsync("bash", [Script, "down", _directory], timeout: TimeSpan.FromMinutes(1));
        }
    }

    // A run that ends without disposing its fixtures (aborted, or a crash) must not leave daemons and mounts.
    private void TearDownOnExit(object? sender, EventArgs e) =>
        ExternalCommand.Start("bash", [Script, "down", _directory]).ExitedAsync().Wait(TimeSpan.FromSeconds(30));

    private async Task<CommandResult> RunScriptAsync(string command, int node)
    {
        SkipUnlessRunning();
        var result = await ExternalCommand.RunAsync("bash", [Script, command, _directory, node.ToString(System.Globalization.CultureInfo.InvariantCulture)], timeout: TimeSpan.FromMinutes(1));
        return result.EnsureSuccess();
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Any(d => File.Exists(Path.Combine(d, program)));
}
