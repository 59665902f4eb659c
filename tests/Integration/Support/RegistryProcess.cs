using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// The real registry as a separate OS process (<c>dotnet neon-registry.dll</c>), for what an in-process server
/// cannot show: several instances on one store, and a process killed at an arbitrary moment. Settings reach the
/// child as its own environment variables; the test process's environment is never changed.
/// </summary>
public sealed partial class RegistryProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);

    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _ownsStorage;
    private ExternalCommand _command = null!;

    private RegistryProcess(string storagePath, bool ownsStorage)
    {
        StoragePath = storagePath;
        _ownsStorage = ownsStorage;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string StoragePath { get; }

    /// <summary>The registry's process id (a launcher such as prlimit or unshare execs it, so keeps its id).</summary>
    public int Id => _command.Id;

    /// <summary>Everything the child wrote to stdout and stderr so far.</summary>
    public string Output => _command.Output;

    /// <param name="storagePath">A store to share with other instances; a fresh temp directory (deleted on dispose) when null.</param>
    /// <param name="secret">SECRET; instances that should continue each other's uploads need the same one.</param>
    /// <param name="settings">Further settings by their environment names, e.g. DELETE_ENABLED.</param>
    /// <param name="launcher">A command that execs the registry, e.g. <c>prlimit --nofile=1024</c>.</param>
    /// <param name="urls">Kestrel's --urls; null to listen where the settings (PORT, LISTEN_ADDRESS) say.</param>
    public static async Task<RegistryProcess> StartAsync(
        string? storagePath = null,
        string secret = RegistryServer.TestSecret,
        IReadOnlyDictionary<string, string>? settings = null,
        TimeSpan? startTimeout = null,
        IReadOnlyList<string>? launcher = null,
        string? urls = "http://127.0.0.1:0")
    {
        var ownsStorage = storagePath is null;
        storagePath ??= TempDirectory.Create("store");
        string[] command = [.. launcher ?? [], DotnetHost(), HostAssembly(), .. urls is null ? Array.Empty<string>() : ["--urls", urls]];
        var environment = RegistrySettings.Cleared();
        environment["SECRET"] = secret;
        environment["STORAGE_PATH"] = storagePath;
        environment["USERNAME"] = RegistryServer.Username;
        environment["PASSWORD"] = RegistryServer.Password;
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        var registry = new RegistryProcess(storagePath, ownsStorage);
        try
        {
            await registry.LaunchAsync(command, environment, startTimeout ?? DefaultStartTimeout);
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }

        return registry;
    }

    /// <summary>SIGKILL: the process dies at whatever instruction it is on, with no shutdown code run. Returns once it is gone.</summary>
    public void Kill() => _command.Kill();

    /// <summary>SIGTERM, as an orchestrator stops a container: ASP.NET drains requests and exits.</summary>
    /// <returns>The exit status.</returns>
    public Task<int> StopAsync() => _command.StopAsync(ExitTimeout);

    /// <summary>Stops the process gracefully (killing it if it hangs) and deletes the store if this instance owns it.</summary>
    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        try
        {
            if (_command is not null)
            {
                await StopAsync();
            }
        }
        catch (TimeoutException)
        {
            // StopAsync has killed it; a hung shutdown must not hide the test's own outcome.
        }
        finally
        {
            if (_command is not null)
            {
                await _command.DisposeAsync();
            }

            if (_ownsStorage)
            {
                TempDirectory.Delete(StoragePath);
            }
        }
    }

    private async Task LaunchAsync(string[] command, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        _command = ExternalCommand.Start(command[0], command[1..], environment, AppContext.BaseDirectory, OnLine);
        var exited = _command.ExitedAsync();
        using var timer = new CancellationTokenSource();
        var first = await Task.WhenAny(_listening.Task, exited, Task.Delay(timeout, timer.Token));
        timer.Cancel();
        if (first == exited)
        {
            throw new InvalidOperationException($"the registry exited before it listened. Output:\n{Output}");
        }

        if (first != _listening.Task)
        {
            throw new TimeoutException($"the registry did not log its address within {timeout}. Output:\n{Output}");
        }

        BaseAddress = await _listening.Task;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestHeaders = { Authorization = RegistryServer.BasicAuth(RegistryServer.Username, RegistryServer.Password) },
        };
    }

    private void OnLine(string line)
    {
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            // A registry listening on every address is reached over loopback.
            var host = match.Groups["host"].Value is "[::]" or "0.0.0.0" ? "127.0.0.1" : match.Groups["host"].Value;
            _listening.TrySetResult(new Uri($"http://{host}:{match.Groups["port"].Value}"));
        }
    }

    /// <summary>The host assembly this test project was built against; its runtimeconfig is copied beside it.</summary>
    private static string HostAssembly()
    {
        var assembly = typeof(RegistryApp).Assembly.Location;
        var runtimeConfig = Path.ChangeExtension(assembly, ".runtimeconfig.json");
        if (!File.Exists(runtimeConfig))
        {
            throw new InvalidOperationException($"{runtimeConfig} is missing: 'dotnet {assembly}' cannot start without it; rebuild the test project");
        }

        return assembly;
    }

    /// <summary>The dotnet host of the runtime running these tests, so the child runs on the same runtime.</summary>
    private static string DotnetHost()
    {
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            return Environment.ProcessPath!;
        }

        // <dotnet root>/shared/Microsoft.NETCore.App/<version>/ holds the runtime; the host sits at the root.
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }

    // Kestrel's own "Now listening" line comes first; the registry's line also confirms the store it opened.
    [GeneratedRegex(@"neon-registry [a-z -]*?(of \S+ )?listening on \\?""?http://(?<host>127\.0\.0\.1|0\.0\.0\.0|\[::1?\]):(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
