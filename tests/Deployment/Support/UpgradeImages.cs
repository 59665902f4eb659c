using System.Globalization;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>
/// For the scripts/upgrade-cache.sh tests: a registry on loopback that holds the registry's image under the tags
/// an upgrade moves between (v1, v2), and two that must fail (sick: its health check fails; broken: its
/// entrypoint does not exist, so docker run fails), logged into by one docker client. The same registry is the
/// cache's upstream, holding team/app:v1. Made once per class, on first use.
/// </summary>
public sealed class UpgradeImages : IAsyncLifetime
{
    public const string UpstreamImage = "team/app";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private RegistryServer _registry = null!;
    private bool _prepared;

    public RegistryServer Registry => _registry;

    /// <summary>The repository of the pushed images, with the registry: 127.0.0.1:PORT/neon-registry.</summary>
    public string Repository => $"{_registry.Authority}/neon-registry";

    /// <summary>The image built from this checkout, only in the engine (never pushed), for --no-pull.</summary>
    public string LocalImage { get; private set; } = "";

    public PushedImage Upstream { get; private set; } = null!;

    public async Task InitializeAsync() => _registry = await RegistryServer.StartAsync();

    public async Task PrepareAsync(DockerEngine engine, DockerClient client)
    {
        await _gate.WaitAsync();
        try
        {
            await client.CheckedAsync("login", "--username", RegistryServer.Username, "--password", RegistryServer.Password, _registry.Authority);
            if (_prepared)
            {
                return;
            }

            LocalImage = await engine.Images.RegistryAsync();
            Upstream = await _registry.Client.PushImageAsync(UpstreamImage, "v1", layerCount: 1);
            await client.CheckedAsync("tag", LocalImage, $"{Repository}:v1");
            await BuildAsync(client, "v2", "LABEL org.opencontainers.image.version=2");
            await BuildAsync(client, "sick", "HEALTHCHECK --interval=1s --start-period=1s --retries=1 CMD [\"/bin/false\"]");
            await BuildAsync(client, "broken", "ENTRYPOINT [\"/no/such/program\"]");
            foreach (var tag in new[] { "v1", "v2", "sick", "broken" })
            {
                await client.CheckedAsync("push", $"{Repository}:{tag}");
                // Pulled again by the script, as a node that never had it would.
                await client.CheckedAsync("rmi", $"{Repository}:{tag}");
            }

            _prepared = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The registry's image with one more instruction, tagged in <see cref="Repository"/>.</summary>
    private async Task BuildAsync(DockerClient client, string tag, string instruction)
    {
        var context = TempDirectory.Create("upgrade-image");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), string.Create(CultureInfo.InvariantCulture, $"FROM {LocalImage}\n{instruction}\n"));
            await client.CheckedAsync("build", "--network", "none", "--quiet", "--tag", $"{Repository}:{tag}", context);
        }
        finally
        {
            TempDirectory.Delete(context);
        }
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();
}
