using System.Globalization;
using System.Net;
using NeonRegistry.Deployment.Support;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment;

/// <summary>
/// scripts/upgrade-cache.sh against the run's own dockerd, with the registry's image pulled from a registry on
/// loopback: a first deployment, an upgrade, and after each failure (a tag that does not exist, an image that
/// turns unhealthy, one whose docker run fails) the cache that ran before still answers.
/// </summary>
[Collection(ContainerEngines.Name)]
public sealed class UpgradeCacheScriptTests(DockerEngine docker, UpgradeImages images) : IClassFixture<UpgradeImages>, IAsyncLifetime
{
    private const string Container = "neon-registry-cache";
    private const string Password = RegistryServer.Password;
    private static readonly int Port = ContainerEngines.UpgradePort;

    private readonly string _configDirectory = TempDirectory.Create("cache-config");
    private DockerClient? _client;

    private DockerClient Client => _client ??= docker.Client();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (docker.SkipReason is null)
        {
            await RemoveCacheAsync();
        }

        _client?.Dispose();
        TempDirectory.Delete(_configDirectory);
    }

    [SkippableFact]
    public async Task FirstDeployment_PullsStartsAndProbes_WithEverySettingOfCacheEnv()
    {
        await PrepareAsync();
        await File.WriteAllTextAsync(Path.Combine(_configDirectory, "cache.env"), $"""
            REMOTE_URL={images.Registry.BaseAddress}
            USER={RegistryServer.Username}
            PASSWORD={Password}
            TAG_FRESHNESS=5s
            LOG_FORMAT=json
            """);

        var result = await RunAsync(environment: new() { ["REMOTE_URL"] = null, ["USER"] = null, ["PASSWORD"] = null }, "--tag", "v1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"{Container} is healthy: {images.Repository}:v1 answers on port {Port}", result.Stdout);
        Assert.Equal($"{images.Repository}:v1 running", await InspectAsync("{{.Config.Image}} {{.State.Status}}"));
        var environment = await InspectAsync("{{json .Config.Env}}");
        Assert.Contains("\"TAG_FRESHNESS=5s\"", environment);
        Assert.Contains("\"HOST=manager-1.neon-registry-cache.cluster\"", environment);
        Assert.StartsWith("{", (await Client.CheckedAsync("logs", "--tail", "1", Container)).Split('\n')[^1], StringComparison.Ordinal);
        await AssertServingAsync();
        Assert.DoesNotContain(Password, result.Output);
    }

    [SkippableFact]
    public async Task Upgrade_ToANewTag_ThenToALocalImageWithoutPull_ReplacesTheCacheAndKeepsItsStore()
    {
        await PrepareAsync();
        Assert.Equal(0, (await RunAsync(null, "--tag", "v1")).ExitCode);
        await AssertServingAsync();

        var upgrade = await RunAsync(null, "--tag", "v2");

        Assert.True(upgrade.ExitCode == 0, upgrade.ToString());
        Assert.Equal($"{images.Repository}:v2", await InspectAsync("{{.Config.Image}}"));
        Assert.Equal("", (await Client.RunAsync("container", "ls", "--all", "--quiet", "--filter", "name=neon-registry-cache-previous")).Stdout.Trim());
        // The store is the named volume: the layer v1 cached, v2 serves without asking the upstream.
        Assert.Equal("HIT", (await AssertServingAsync()).Split(' ')[0]);

        var separator = images.LocalImage.LastIndexOf(':');
        var local = await RunAsync(null, "--no-pull", "--image", images.LocalImage[..separator], "--tag", images.LocalImage[(separator + 1)..]);

        Assert.True(local.ExitCode == 0, local.ToString());
        Assert.DoesNotContain("docker pull", local.Stdout);
        Assert.Equal(images.LocalImage, await InspectAsync("{{.Config.Image}}"));
        await AssertServingAsync();
    }

    [SkippableFact]
    public async Task Upgrade_TagTheRegistryDoesNotHave_ExitsOne_AndTheCacheKeepsServing()
    {
        await PrepareAsync();
        Assert.Equal(0, (await RunAsync(null, "--tag", "v1")).ExitCode);

        var result = await RunAsync(null, "--tag", "no-such-tag");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"could not pull {images.Repository}:no-such-tag; the running cache was not touched", result.Stderr);
        Assert.Equal($"{images.Repository}:v1 running", await InspectAsync("{{.Config.Image}} {{.State.Status}}"));
        await AssertServingAsync();
    }

    [SkippableTheory]
    [InlineData("sick", "did not become healthy: its health check fails")]
    [InlineData("broken", "did not start")]
    public async Task Upgrade_NewContainerFails_ExitsThree_AndPutsThePreviousBackServing(string tag, string failure)
    {
        await PrepareAsync();
        Assert.Equal(0, (await RunAsync(null, "--tag", "v1")).ExitCode);

        var result = await RunAsync(null, "--tag", tag);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"the new {Container} ({images.Repository}:{tag}) {failure}", result.Stderr);
        Assert.Contains($"the previous {Container} ({images.Repository}:v1) answers on port {Port} again", result.Stderr);
        Assert.Equal($"{images.Repository}:v1 running always", await InspectAsync("{{.Config.Image}} {{.State.Status}} {{.HostConfig.RestartPolicy.Name}}"));
        Assert.Equal(Container, (await Client.CheckedAsync("container", "ls", "--all", "--format", "{{.Names}}")).Trim());
        await AssertServingAsync();
    }

    [SkippableFact]
    public async Task FirstDeployment_NewContainerFails_ExitsThree_AndLeavesNothingRunning()
    {
        await PrepareAsync();

        var result = await RunAsync(null, "--tag", "broken");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("there was no cache before it; none is running", result.Stderr);
        Assert.Equal("", (await Client.CheckedAsync("container", "ls", "--all", "--quiet")).Trim());
    }

    [Fact]
    public async Task DryRun_PrintsEveryDockerCommand_AndRunsNone()
    {
        var result = await RunWithoutEngineAsync(["--dry-run", "--manager", "manager-1", "--image", "registry.example.com/neon-registry", "--tag", "2.0", "--password", "pa55-S3cret"], new() { ["USER"] = "bot", ["REMOTE_URL"] = "https://upstream.example.com" });

        Assert.True(result.ExitCode == 0, result.ToString());
        var printed = result.Stdout.Split('\n').Where(line => line.StartsWith("+ docker ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["pull", "rename", "stop", "update", "run", "container", "rm"], printed.Select(line => line.Split(' ')[2]));
        Assert.Contains("--env-file /etc/neon-registry-cache/cache.env --env HOST=manager-1.neon-registry-cache.cluster --env PORT=5002", printed[4]);
        Assert.Contains("--env REMOTE_URL --env USER --env PASSWORD", printed[4]);
        Assert.Contains("--publish 5002:5002", printed[4]);
        Assert.DoesNotContain("pa55-S3cret", result.Output);
    }

    [Fact]
    public async Task DryRun_AnonymousUpstream_PassesNoLogin()
    {
        var result = await RunWithoutEngineAsync(["--dry-run", "--manager", "manager-1", "--image", "registry.example.com/neon-registry"], new() { ["USER"] = null, ["PASSWORD"] = null, ["REMOTE_URL"] = "https://upstream.example.com" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("--env USER", result.Stdout);
        Assert.DoesNotContain("--env PASSWORD", result.Stdout);
    }

    [Fact]
    public async Task DryRun_ShellUserWithoutPassword_IsIgnoredWithAWarning()
    {
        var result = await RunWithoutEngineAsync(["--dry-run", "--manager", "manager-1", "--image", "registry.example.com/neon-registry"], new() { ["USER"] = "root", ["PASSWORD"] = null, ["REMOTE_URL"] = "https://upstream.example.com" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ignoring USER 'root'", result.Stderr);
        Assert.DoesNotContain("--env USER", result.Stdout);
    }

    [Fact]
    public async Task DryRun_UpstreamsFileInTheConfigDirectory_StandsInForRemoteUrl()
    {
        var config = Directory.CreateTempSubdirectory("upgrade-config-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(config.FullName, "upstreams.toml"), "[[upstream]]\nname = \"ghcr.io\"\nurl = \"https://ghcr.io\"\n");

            var result = await RunWithoutEngineAsync(
                ["--dry-run", "--manager", "manager-1", "--image", "registry.example.com/neon-registry", "--config-dir", config.FullName],
                new() { ["USER"] = null, ["PASSWORD"] = null, ["REMOTE_URL"] = null });

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains($"--env UPSTREAMS_FILE={config.FullName}/upstreams.toml", result.Stdout);
            Assert.DoesNotContain("--env REMOTE_URL", result.Stdout);
        }
        finally
        {
            config.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("MANAGER", "pass --manager or set MANAGER in the environment")]
    [InlineData("IMAGE", "pass --image with the registry the image was pushed to")]
    [InlineData("REMOTE_URL", "pass --remote-url, set REMOTE_URL in the environment or in /etc/neon-registry-cache/cache.env")]
    public async Task MissingSetting_RefusesToRun_NamingIt(string name, string advice)
    {
        var environment = new Dictionary<string, string?> { ["MANAGER"] = "manager-1", ["IMAGE"] = "registry.example.com/neon-registry", ["USER"] = null, ["PASSWORD"] = null, [name] = null };

        var result = await RunWithoutEngineAsync([], environment);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"upgrade-cache.sh: {name} is missing: {advice}", result.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--manager", "manager 1", "is not a host name")]
    [InlineData("--manager", "-manager", "is not a host name")]
    [InlineData("--config-dir", "etc/neon-registry-cache", "is not an absolute path")]
    [InlineData("--port", "5002x", "is not a port number")]
    [InlineData("--user", "bot", "USER is set but PASSWORD is not")]
    public async Task BadSetting_IsRefused(string option, string value, string message)
    {
        var environment = new Dictionary<string, string?>
        {
            ["MANAGER"] = "manager-1", ["IMAGE"] = "registry.example.com/neon-registry", ["REMOTE_URL"] = "https://upstream.example.com", ["USER"] = null, ["PASSWORD"] = null,
        };

        var result = await RunWithoutEngineAsync([option, value], environment);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    private async Task PrepareAsync()
    {
        docker.RequireRunning();
        await images.PrepareAsync(docker, Client);
        await RemoveCacheAsync();
    }

    /// <summary>The script as an operator on manager-1 runs it, on the host's network (this engine has no bridge).</summary>
    private Task<CommandResult> RunAsync(Dictionary<string, string?>? environment, params string[] arguments)
    {
        var variables = new Dictionary<string, string?>(Client.Environment)
        {
            ["MANAGER"] = "manager-1",
            ["IMAGE"] = images.Repository,
            ["REMOTE_URL"] = images.Registry.BaseAddress.ToString(),
            ["USER"] = RegistryServer.Username,
            ["PASSWORD"] = Password,
        };
        foreach (var (name, value) in environment ?? [])
        {
            variables[name] = value;
        }

        return ExternalCommand.BashAsync(
            "scripts/upgrade-cache.sh",
            ["--network", "host", "--port", Port.ToString(CultureInfo.InvariantCulture), "--config-dir", _configDirectory, "--health-interval", "1s", "--timeout", "60", .. arguments],
            variables,
            TimeSpan.FromMinutes(3));
    }

    /// <summary>Runs it with docker pointed at no engine: a docker command that ran would fail it.</summary>
    private static Task<CommandResult> RunWithoutEngineAsync(string[] arguments, Dictionary<string, string?> environment)
    {
        environment["DOCKER_HOST"] = "unix:///nonexistent/docker.sock";
        return ExternalCommand.BashAsync("scripts/upgrade-cache.sh", arguments, environment);
    }

    private Task<string> InspectAsync(string format) => Client.CheckedAsync("container", "inspect", "--format", format, Container);

    /// <summary>The cache answers team/app:v1 and its layer; returns the layer's X-Cache header (HIT once it holds it).</summary>
    private async Task<string> AssertServingAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{UpgradeImages.UpstreamImage}/manifests/v1");
        request.Headers.Accept.ParseAdd(TestContent.OciManifest);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(images.Upstream.Manifest, await response.Content.ReadAsByteArrayAsync());
        using var layer = await http.GetAsync($"/v2/{UpgradeImages.UpstreamImage}/blobs/{TestContent.DigestOf(images.Upstream.Layers[0])}");
        Assert.Equal(images.Upstream.Layers[0], await layer.Content.ReadAsByteArrayAsync());
        return layer.Header("X-Cache");
    }

    private async Task RemoveCacheAsync()
    {
        await Client.RunAsync("rm", "--force", Container, $"{Container}-previous");
        await Client.RunAsync("volume", "rm", "--force", Container);
    }
}
