using System.Text.Json;
using NeonRegistry.Deployment.Support;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment;

/// <summary>
/// dockerd (registry mirror), containerd (hosts.toml), podman (registries.conf mirror) and skopeo pull the same
/// image through one cold cache at once: its upstream, behind a counting proxy, sees one GET per blob.
/// </summary>
[Collection(ContainerEngines.Name)]
public sealed class EnginesColdPullTests(DockerEngine docker, ContainerdEngine containerd, PodmanEngine podman)
{
    [SkippableFact]
    public async Task ColdPull_FourEnginesAtOnce_CostOneUpstreamGetPerBlob()
    {
        docker.RequireRunning();
        containerd.RequireRunning();
        podman.RequireRunning();
        await using var setup = await PullThroughSetup.StartAsync(new Dictionary<string, string?> { ["urls"] = $"http://127.0.0.1:{DockerEngine.MirrorPort}" });
        using var client = docker.Client();
        using var image = await TinyImage.CreateAsync();
        var upstream = setup.Upstream.BaseAddress.Authority;
        await client.CheckedAsync("login", "--username", RegistryServer.Username, "--password", RegistryServer.Password, upstream);
        await client.CheckedAsync("import", image.Tarball, $"{upstream}/library/busybox:latest");
        await client.CheckedAsync("push", $"{upstream}/library/busybox:latest");
        await client.CheckedAsync("rmi", $"{upstream}/library/busybox:latest");
        var manifest = await setup.Upstream.Client.GetByteArrayAsync("/v2/library/busybox/manifests/latest");
        using var parsed = JsonDocument.Parse(manifest);
        var blobs = parsed.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!)
            .Append(parsed.RootElement.GetProperty("config").GetProperty("digest").GetString()!).ToList();

        // containerd and podman name the cache's upstream (the proxy): containerd's ?ns= must name it.
        var proxied = $"{setup.Proxy.BaseAddress.Authority}/library/busybox:latest";
        var cache = setup.Cache.Authority;
        var hosts = TempDirectory.Create("cold-hosts-d");
        var registriesConf = Path.Combine(hosts, "registries.conf");
        var oci = TempDirectory.Create("cold-oci");
        try
        {
            Directory.CreateDirectory(Path.Combine(hosts, setup.Proxy.BaseAddress.Authority));
            await File.WriteAllTextAsync(Path.Combine(hosts, setup.Proxy.BaseAddress.Authority, "hosts.toml"), $"""
                server = "http://{setup.Proxy.BaseAddress.Authority}"

                [host."http://{cache}"]
                  capabilities = ["pull", "resolve"]
                """);
            await File.WriteAllTextAsync(registriesConf, $"""
                [[registry]]
                location = "{setup.Proxy.BaseAddress.Authority}"
                insecure = true

                [[registry.mirror]]
                location = "{cache}"
                insecure = true
                """);
            setup.Proxy.ResetCounts();

            var pulls = await Task.WhenAll(
                client.RunAsync("pull", "busybox"),
                containerd.Containerd.CtrAsync(["images", "pull", "--hosts-dir", hosts, "--snapshotter", "native", proxied]),
                podman.RunAsync("podman", ["pull", proxied], new Dictionary<string, string?> { ["CONTAINERS_REGISTRIES_CONF"] = registriesConf }),
                ExternalCommand.RunAsync(Skopeo.Executable, ["--insecure-policy", "copy", "--src-tls-verify=false", $"docker://{cache}/library/busybox:latest", $"oci:{oci}:busybox"], timeout: TimeSpan.FromMinutes(2)));

            Assert.All(pulls, pull => Assert.True(pull.ExitCode == 0, pull.ToString()));
            Assert.All(blobs, blob => Assert.Equal(1, setup.Proxy.Count("GET", $"/blobs/{blob}")));
        }
        finally
        {
            TempDirectory.Delete(hosts);
            TempDirectory.Delete(oci);
        }
    }
}
