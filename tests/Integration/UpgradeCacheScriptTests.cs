using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// scripts/upgrade-cache.sh against a stand-in docker: pull first, then replace, then wait for health; a failed
/// pull leaves the running cache alone; missing settings are named; the password never shows.
/// </summary>
public sealed class UpgradeCacheScriptTests
{
    private const string Container = "neon-registry-cache";
    private const string Password = "pa55-Upstream-S3cret";

    [Fact]
    public async Task Upgrade_PullsFirst_ThenReplacesTheContainer_AndWaitsUntilHealthy()
    {
        using var docker = new FakeDocker();
        docker.AddContainer(Container, "running", "neon-registry:1.0");

        var result = await RunAsync(docker, health: "starting starting healthy", "--manager", "manager-1", "--tag", "2.0");

        Assert.True(result.ExitCode == 0, result.ToString());
        var calls = docker.Calls;
        var pull = Index(calls, "pull neon-registry:2.0");
        var remove = Index(calls, $"rm --force {Container}");
        var run = Index(calls, "run ");
        Assert.True(pull < remove && remove < run, string.Join('\n', calls));
        Assert.Equal(3, calls.Skip(run + 1).Count(call => call.StartsWith("container inspect", StringComparison.Ordinal)));

        var runCall = calls[run];
        Assert.Contains($"--name {Container} --restart always", runCall);
        Assert.Contains("--publish 5002:5002", runCall);
        Assert.Contains("--env HOST=manager-1.neon-registry-cache.cluster", runCall);
        Assert.Contains("--volume /etc/neon-registry-cache:/etc/neon-registry-cache:ro", runCall);
        Assert.Contains($"--volume {Container}:/var/lib/neon-registry-cache", runCall);
        Assert.EndsWith(" neon-registry:2.0", runCall);
        Assert.Contains($"PASSWORD={Password}", docker.RunEnvironment);
        Assert.Contains("USER=upstream-bot", docker.RunEnvironment);
        Assert.Contains("REMOTE_URL=https://upstream.example.com", docker.RunEnvironment);

        Assert.Equal("running neon-registry:2.0", docker.Container(Container));
        Assert.Contains($"{Container} is healthy", result.Stdout);
        AssertNoPassword(result, docker);
    }

    [Fact]
    public async Task Upgrade_PullFails_LeavesTheRunningCacheAlone()
    {
        using var docker = new FakeDocker();
        docker.AddContainer(Container, "running", "neon-registry:1.0");
        docker.Environment["FAKE_DOCKER_PULL_FAILS"] = "1";

        var result = await RunAsync(docker, health: "healthy", "--manager", "manager-1", "--tag", "2.0");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("could not pull neon-registry:2.0; the running cache was not touched", result.Stderr);
        Assert.Equal(["pull neon-registry:2.0"], docker.Calls);
        Assert.Equal("running neon-registry:1.0", docker.Container(Container));
        AssertNoPassword(result, docker);
    }

    [Fact]
    public async Task Upgrade_NewContainerUnhealthy_SaysSoWithItsLogsAndTheImageItReplaced()
    {
        using var docker = new FakeDocker();
        docker.AddContainer(Container, "running", "neon-registry:1.0");

        var result = await RunAsync(docker, health: "starting unhealthy", "--manager", "manager-1", "--tag", "2.0");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"the new {Container} (neon-registry:2.0) did not become healthy: its health check fails", result.Stderr);
        Assert.Contains("could not reach the upstream", result.Stderr);
        Assert.Contains("neon-registry:1.0", result.Stderr);
        Assert.DoesNotContain("is healthy", result.Stdout);
        AssertNoPassword(result, docker);
    }

    [Fact]
    public async Task Upgrade_NeverHealthy_GivesUpAfterTheTimeout()
    {
        using var docker = new FakeDocker();

        var result = await RunAsync(docker, health: "starting", "--manager", "manager-1", "--timeout", "2");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("did not become healthy: still 'running starting' after 2 s", result.Stderr);
        Assert.DoesNotContain(docker.Calls, call => call.StartsWith("rm ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upgrade_NoContainerYet_StartsOneWithoutRemoving()
    {
        using var docker = new FakeDocker();

        var result = await RunAsync(docker, health: "healthy", "--manager", "manager-3");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(docker.Calls, call => call.StartsWith("rm ", StringComparison.Ordinal));
        Assert.Equal("running neon-registry:latest", docker.Container(Container));
    }

    [Fact]
    public async Task DryRun_PrintsEveryDockerCommand_AndRunsNone()
    {
        using var docker = new FakeDocker();
        docker.AddContainer(Container, "running", "neon-registry:1.0");

        var result = await RunAsync(docker, health: "healthy", "--dry-run", "--manager", "manager-1", "--tag", "2.0", "--password", Password);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(docker.Calls);
        var printed = result.Stdout.Split('\n').Where(line => line.StartsWith("+ docker ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["pull", "rm", "run", "container"], printed.Select(line => line.Split(' ')[2]));
        Assert.Contains("--env REMOTE_URL --env USER --env PASSWORD", printed[2]);
        Assert.Equal("running neon-registry:1.0", docker.Container(Container));
        AssertNoPassword(result, docker);
    }

    [Theory]
    [InlineData("MANAGER", "--manager")]
    [InlineData("REMOTE_URL", "--remote-url")]
    [InlineData("USER", "--user")]
    [InlineData("PASSWORD", "--password")]
    public async Task MissingSetting_RefusesToRun_NamingIt(string name, string option)
    {
        using var docker = new FakeDocker();
        var environment = Settings(docker, health: "healthy");
        environment["MANAGER"] = "manager-1";
        environment[name] = null;

        var result = await ExternalCommand.BashAsync("scripts/upgrade-cache.sh", [], environment);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"upgrade-cache.sh: {name} is missing: pass {option} or set {name} in the environment", result.Stderr.Trim());
        Assert.Empty(docker.Calls);
    }

    [Fact]
    public async Task Settings_FromArguments_TakePrecedenceOverTheEnvironment()
    {
        using var docker = new FakeDocker();

        var result = await RunAsync(docker, health: "healthy", "--manager", "manager-1", "--user", "from-argument", "--remote-url", "https://other.example.com");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("USER=from-argument", docker.RunEnvironment);
        Assert.Contains("REMOTE_URL=https://other.example.com", docker.RunEnvironment);
    }

    [Theory]
    [InlineData("manager 1")]
    [InlineData("manager-1;rm")]
    [InlineData("-manager")]
    public async Task ManagerName_NotAHostName_IsRefused(string manager)
    {
        using var docker = new FakeDocker();

        var result = await RunAsync(docker, health: "healthy", "--manager", manager);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not a host name", result.Stderr);
        Assert.Empty(docker.Calls);
    }

    private static Task<CommandResult> RunAsync(FakeDocker docker, string health, params string[] arguments) =>
        ExternalCommand.BashAsync("scripts/upgrade-cache.sh", arguments, Settings(docker, health), TimeSpan.FromSeconds(30));

    /// <summary>The upstream settings in the environment, as an operator sets them, and no MANAGER.</summary>
    private static Dictionary<string, string?> Settings(FakeDocker docker, string health) => new(docker.Environment)
    {
        ["FAKE_DOCKER_HEALTH"] = health,
        ["MANAGER"] = null,
        ["REMOTE_URL"] = "https://upstream.example.com",
        ["USER"] = "upstream-bot",
        ["PASSWORD"] = Password,
    };

    private static int Index(IReadOnlyList<string> calls, string prefix)
    {
        var index = calls.ToList().FindIndex(call => call.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(index >= 0, $"no docker call starts with '{prefix}':\n{string.Join('\n', calls)}");
        return index;
    }

    private static void AssertNoPassword(CommandResult result, FakeDocker docker)
    {
        Assert.DoesNotContain(Password, result.Output);
        Assert.All(docker.Calls, call => Assert.DoesNotContain(Password, call));
    }
}
