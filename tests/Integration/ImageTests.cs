using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// The image without a Docker engine: what the Dockerfile declares, and a publish made the way the Dockerfile
/// makes it (docker/publish.sh) started the way the image starts it, with the image's environment.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed partial class ImageTests
{
    // What the runtime base image sets before the Dockerfile's own ENV lines apply.
    private static readonly Dictionary<string, string?> BaseImageEnvironment = new() { ["ASPNETCORE_HTTP_PORTS"] = "8080" };

    [Fact]
    public void Dockerfile_CopiesOnlyPathsThatExist()
    {
        var copies = Dockerfile.Read().Instructions.Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(copies);
        foreach (var (_, arguments) in copies)
        {
            var sources = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1];
            Assert.All(sources, source => Assert.True(Path.Exists(RepositoryRoot.File(source)), $"COPY {source}: no such path"));
        }
    }

    [Fact]
    public void Dockerfile_FinalStage_DeclaresStoresPortsUserHealthCheckAndEntrypoint()
    {
        var dockerfile = Dockerfile.Read();

        Assert.StartsWith("mcr.microsoft.com/dotnet/runtime-deps:", dockerfile.Single("FROM"), StringComparison.Ordinal);
        Assert.Equal("$APP_UID", dockerfile.Single("USER"));
        Assert.Equal(["/var/lib/registry", "/var/lib/neon-registry-cache"], Dockerfile.ExecForm(dockerfile.Single("VOLUME")));
        Assert.Equal(["5000", "5002"], dockerfile.Single("EXPOSE").Split(' '));
        Assert.Equal(["/app/neon-registry"], Dockerfile.ExecForm(dockerfile.Single("ENTRYPOINT")));
        Assert.Equal(["/app/neon-registry", "healthcheck"], Dockerfile.ExecForm(dockerfile.Single("HEALTHCHECK")));
        Assert.Contains("RUN bash docker/publish.sh /app", dockerfile.Instructions.Select(i => $"{i.Keyword} {i.Arguments}"));
    }

    [Fact]
    public async Task Publish_AsTheImageDoes_StartsServesV2AndPassesItsHealthCheck()
    {
        var output = TempDirectory.Create("publish");
        var store = TempDirectory.Create("publish-store");
        var temp = TempDirectory.Create("publish-tmp");
        try
        {
            // Compiled ahead of time: a minute and a half on two idle cores, longer beside the other tests.
            var publish = await ExternalCommand.BashAsync("docker/publish.sh", [output], WithoutMsBuildHostVariables(), TimeSpan.FromMinutes(10));
            Assert.True(publish.ExitCode == 0, publish.ToString());

            var dockerfile = Dockerfile.Read();
            var environment = ImageEnvironment(dockerfile, store);
            environment["TMPDIR"] = temp;
            var entrypoint = InPublishDirectory(Dockerfile.ExecForm(dockerfile.Single("ENTRYPOINT")), output);
            using var registry = new StartedProcess(entrypoint, environment);
            var port = await registry.WaitForPortAsync(TimeSpan.FromSeconds(60));

            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            client.DefaultRequestHeaders.Authorization = RegistryServer.BasicAuth(RegistryServer.Username, RegistryServer.Password);
            using var v2 = await client.GetAsync("/v2/");
            Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
            Assert.Equal("registry/2.0", v2.Header("Docker-Distribution-API-Version"));

            var healthCheck = InPublishDirectory(Dockerfile.ExecForm(dockerfile.Single("HEALTHCHECK")), output);
            environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var health = await ExternalCommand.RunAsync(healthCheck[0], healthCheck[1..], environment);
            Assert.True(health.ExitCode == 0, health.ToString());

            // The image's environment must not make the host warn at every start (HTTP_PORTS overridden).
            Assert.DoesNotContain(registry.Output, line => line.Contains("WRN", StringComparison.Ordinal));
            // Nor open the runtime's diagnostics socket (or debug pipes) in the temp directory.
            Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
        }
        finally
        {
            TempDirectory.Delete(output);
            TempDirectory.Delete(store);
            TempDirectory.Delete(temp);
        }
    }

    /// <summary>The base image's variables, then the final stage's ENV lines, then the registry's settings.</summary>
    private static Dictionary<string, string?> ImageEnvironment(Dockerfile dockerfile, string store)
    {
        var environment = new Dictionary<string, string?>(BaseImageEnvironment);
        foreach (var (_, arguments) in dockerfile.FinalStage.Where(i => i.Keyword == "ENV"))
        {
            var equals = arguments.IndexOf('=');
            environment[arguments[..equals]] = arguments[(equals + 1)..];
        }

        environment["USERNAME"] = RegistryServer.Username;
        environment["PASSWORD"] = RegistryServer.Password;
        environment["SECRET"] = RegistryServer.TestSecret;
        environment["STORAGE_PATH"] = store;
        environment["PORT"] = "0";
        environment["LOG_LEVEL"] = "info";
        return environment;
    }

    private static string[] InPublishDirectory(string[] command, string output) =>
        command.Select(part => part.StartsWith("/app/", StringComparison.Ordinal) ? Path.Combine(output, part["/app/".Length..]) : part).ToArray();

    // The test host runs under MSBuild's variables; a nested dotnet publish must find its own.
    private static Dictionary<string, string?> WithoutMsBuildHostVariables() =>
        new() { ["MSBuildExtensionsPath"] = null, ["MSBUILD_EXE_PATH"] = null, ["MSBuildSDKsPath"] = null };

    // The host is an IPv4 address or a bracketed IPv6 one (the default, [::]).
    [GeneratedRegex(@"listening on http://(?:\[[^\]]*\]|[^:/\[]+):(\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>The published registry running until disposed, its output collected line by line.</summary>
    private sealed class StartedProcess : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _output = [];
        private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public StartedProcess(string[] command, IReadOnlyDictionary<string, string?> environment)
        {
            var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in command[1..])
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            _process = new Process { StartInfo = start };
            _process.OutputDataReceived += (_, e) => Collect(e.Data);
            _process.ErrorDataReceived += (_, e) => Collect(e.Data);
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public IReadOnlyList<string> Output
        {
            get
            {
                lock (_output)
                {
                    return [.. _output];
                }
            }
        }

        public async Task<int> WaitForPortAsync(TimeSpan timeout)
        {
            try
            {
                return await _port.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException($"the published registry did not report listening within {timeout}:\n{string.Join('\n', Output)}");
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }

        private void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.Add(line);
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                _port.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }
}
