using System.Globalization;
using NeonRegistry.Deployment.Support;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment;

/// <summary>
/// README's docker service create on a one-node swarm of the run's dockerd: two replicas of the image on one
/// bind-mounted store become healthy. Swarm's routing mesh cannot publish the port on that dockerd (no
/// iptables, no bridge, and no IPVS in the kernel of this kind of machine), so the replicas are checked through
/// docker, not through the published port.
/// </summary>
[Collection(ContainerEngines.Name)]
public sealed class SwarmTests(DockerEngine docker)
{
    private const int Port = ContainerEngines.SwarmPorts;

    [SkippableFact]
    public async Task ServiceCreate_TwoReplicasOnOneBindMountedStore_BecomeHealthy()
    {
        docker.RequireRunning();
        var image = await docker.Images.RegistryAsync();
        using var client = docker.Client();
        var init = await client.RunAsync(
            "swarm", "init", "--advertise-addr", "127.0.0.1", "--listen-addr", $"127.0.0.1:{Port + 1}", "--data-path-port", (Port + 2).ToString(CultureInfo.InvariantCulture));
        Skip.If(init.ExitCode != 0, $"docker swarm init fails on this dockerd: {init.Output}");
        var store = TempDirectory.Create("swarm-store");
        var envFile = Path.Combine(store, "..", $"{Path.GetFileName(store)}.env");
        try
        {
            await ExternalCommand.RunAsync("chown", ["1654", store]);
            await File.WriteAllTextAsync(envFile, $"USERNAME={RegistryServer.Username}\nPASSWORD={RegistryServer.Password}\nSECRET={RegistryServer.TestSecret}\nPORT={Port}\n");

            await client.CheckedAsync(
                "service", "create", "--detach", "--name", "neon-registry", "--replicas", "2",
                "--publish", $"published={Port},target={Port}",
                "--env-file", envFile,
                "--env", "HOST={{.Node.Hostname}}",
                "--mount", $"type=bind,source={store},target=/var/lib/registry",
                "--health-interval", "1s",
                image);

            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            var states = "";
            while (DateTime.UtcNow < deadline)
            {
                var containers = (await client.CheckedAsync("ps", "--quiet", "--filter", "label=com.docker.swarm.service.name=neon-registry")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                states = containers.Length == 0 ? "" : await client.CheckedAsync(["container", "inspect", "--format", "{{.State.Health.Status}}", .. containers]);
                if (states.Split('\n').Count(s => s == "healthy") == 2)
                {
                    break;
                }

                await Task.Delay(500);
            }

            Assert.Equal("healthy\nhealthy", states);
            Assert.Contains("2/2", await client.CheckedAsync("service", "ls", "--filter", "name=neon-registry", "--format", "{{.Replicas}}"));
        }
        finally
        {
            await client.RunAsync("service", "rm", "neon-registry");
            await client.RunAsync("swarm", "leave", "--force");
            TempDirectory.Delete(store);
            File.Delete(envFile);
        }
    }
}
