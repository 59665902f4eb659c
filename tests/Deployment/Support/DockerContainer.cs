using System.Globalization;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>A container started with <c>docker run --detach</c> under a unique name, removed (forced) on dispose.</summary>
public sealed class DockerContainer : IAsyncDisposable
{
    private readonly DockerClient _client;

    private DockerContainer(DockerClient client, string name)
    {
        _client = client;
        Name = name;
    }

    public string Name { get; }

    /// <param name="arguments">docker run's options, then the image and its arguments.</param>
    public static async Task<DockerContainer> RunAsync(DockerClient client, params string[] arguments)
    {
        var container = new DockerContainer(client, $"nrt-{Guid.NewGuid():N}"[..16]);
        await client.CheckedAsync(["run", "--detach", "--name", container.Name, .. arguments]);
        return container;
    }

    /// <summary>"STATUS HEALTH", e.g. "running healthy" or "exited none".</summary>
    public Task<string> StateAsync() =>
        _client.CheckedAsync("container", "inspect", "--format", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}", Name);

    /// <summary>Waits until its health check passes; fails the test with its logs if it turns unhealthy or stops.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var state = "";
        while (DateTime.UtcNow < deadline)
        {
            state = await StateAsync();
            if (state == "running healthy")
            {
                return;
            }

            if (!state.StartsWith("running", StringComparison.Ordinal) || state.EndsWith("unhealthy", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"container {Name} is '{state}', not healthy:\n{await LogsAsync()}");
    }

    public async Task<string> LogsAsync() => (await _client.RunAsync("logs", Name)).Output;

    public async Task<int> ExitCodeAsync() =>
        int.Parse(await _client.CheckedAsync("container", "inspect", "--format", "{{.State.ExitCode}}", Name), CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync() => await _client.RunAsync("rm", "--force", Name);
}
