using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>
/// The docker CLI of a <see cref="DockerEngine"/>, with a DOCKER_CONFIG of its own, so its logins are its own.
/// <see cref="Environment"/> is what a script that runs docker needs to reach the same engine.
/// </summary>
public sealed class DockerClient : IDisposable
{
    private readonly string _config = TempDirectory.Create("docker-config");
    private readonly string _docker;

    public DockerClient(DockerEngine engine)
    {
        _docker = Path.Combine(engine.ClientDirectory, "docker");
        Environment = new Dictionary<string, string?>
        {
            ["DOCKER_HOST"] = $"unix://{engine.Socket}",
            ["DOCKER_CONFIG"] = _config,
            ["PATH"] = $"{engine.ClientDirectory}:{System.Environment.GetEnvironmentVariable("PATH")}",
            ["DOCKER_BUILDKIT"] = null,
        };
    }

    public Dictionary<string, string?> Environment { get; }

    public Task<CommandResult> RunAsync(params string[] arguments) => RunAsync(arguments, TimeSpan.FromMinutes(3));

    public Task<CommandResult> RunAsync(IEnumerable<string> arguments, TimeSpan timeout) =>
        ExternalCommand.RunAsync(_docker, arguments, Environment, timeout: timeout);

    /// <summary>Runs docker and fails the test unless it succeeds; returns its trimmed output.</summary>
    public async Task<string> CheckedAsync(params string[] arguments) => (await RunAsync(arguments)).EnsureSuccess().Stdout.Trim();

    public void Dispose() => TempDirectory.Delete(_config);
}
