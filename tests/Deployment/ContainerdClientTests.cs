using System.Net;
using NeonRegistry.Deployment.Support;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment;

/// <summary>
/// ctr (containerd's client, on the run's own containerd, native snapshotter) against the registry on loopback:
/// pull and push with --user; and through the cache with a hosts.toml that falls back to the upstream on 404.
/// Its images are pushed with the run's docker first (ctr has no way to make one).
/// </summary>
[Collection(ContainerEngines.Name)]
public sealed class ContainerdClientTests(ContainerdEngine containerd, DockerEngine docker)
{
    private static readonly string User = $"{RegistryServer.Username}:{RegistryServer.Password}";

    [SkippableFact]
    public async Task Primary_CtrPullAndPush_WithUser()
    {
        containerd.RequireRunning();
        docker.RequireRunning();
        await using var registry = await RegistryServer.StartAsync();
        var source = await PushWithDockerAsync(registry, "ctr/app:v1");
        var copy = $"{registry.Authority}/ctr/copy:v1";

        await CtrAsync("images", "pull", "--plain-http", "--user", User, "--snapshotter", "native", source);
        await CtrAsync("images", "tag", source, copy);
        await CtrAsync("images", "push", "--plain-http", "--user", User, copy);

        using var pushed = await registry.Client.GetAsync("/v2/ctr/copy/manifests/v1");
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        using var original = await registry.Client.GetAsync("/v2/ctr/app/manifests/v1");
        Assert.Equal(original.Header("Docker-Content-Digest"), pushed.Header("Docker-Content-Digest"));
    }

    [SkippableFact]
    public async Task Cache_HostsToml_PullsThroughTheCache_FallsBackOn404_AndServesWithTheUpstreamGone()
    {
        containerd.RequireRunning();
        docker.RequireRunning();
        var upstream = await RegistryServer.StartAsync();
        var upstreamRunning = true;
        await using var other = await RegistryServer.StartAsync();
        await using var cache = await RegistryServer.StartCacheAsync(upstream.BaseAddress, RegistryServer.Username, RegistryServer.Password);
        var hosts = TempDirectory.Create("hosts-d");
        try
        {
            // Both registries try the cache first, as README's hosts.toml does for Docker Hub.
            foreach (var registry in new[] { upstream, other })
            {
                Directory.CreateDirectory(Path.Combine(hosts, registry.Authority));
                await File.WriteAllTextAsync(Path.Combine(hosts, registry.Authority, "hosts.toml"), $"""
                    server = "http://{registry.Authority}"

                    [host."http://{cache.Authority}"]
                      capabilities = ["pull", "resolve"]
                    """);
            }

            var cached = await PushWithDockerAsync(upstream, "cached/app:v1");
            var elsewhere = await PushWithDockerAsync(other, "elsewhere/app:v1");

            await PullAsync(hosts, cached);
            // containerd names the other registry in ?ns=: the cache answers 404, and containerd asks that registry.
            var fallback = await containerd.Containerd.CtrAsync(["images", "pull", "--hosts-dir", hosts, "--user", User, "--snapshotter", "native", elsewhere]);
            Assert.True(fallback.ExitCode == 0, fallback.ToString());
            Assert.Contains($"trying next host - response was http.StatusNotFound\" host=\"{cache.Authority}\"", fallback.Stderr);

            // With the upstream gone, only the cache can answer.
            await upstream.DisposeAsync();
            upstreamRunning = false;
            await CtrAsync("images", "rm", "--sync", cached);
            await PullAsync(hosts, cached);
        }
        finally
        {
            if (upstreamRunning)
            {
                await upstream.DisposeAsync();
            }

            TempDirectory.Delete(hosts);
        }
    }

    private Task<string> PullAsync(string hosts, string reference) =>
        CtrAsync("images", "pull", "--hosts-dir", hosts, "--user", User, "--snapshotter", "native", reference);

    private async Task<string> CtrAsync(params string[] arguments)
    {
        var result = await containerd.Containerd.CtrAsync(arguments);
        Assert.True(result.ExitCode == 0, $"ctr {string.Join(' ', arguments)}: {result}");
        return result.Stdout;
    }

    /// <summary>A one-file image pushed to the registry by the run's docker; its full reference.</summary>
    private async Task<string> PushWithDockerAsync(RegistryServer registry, string name)
    {
        using var client = docker.Client();
        using var image = await TinyImage.CreateAsync();
        var reference = $"{registry.Authority}/{name}";
        await client.CheckedAsync("login", "--username", RegistryServer.Username, "--password", RegistryServer.Password, registry.Authority);
        await client.CheckedAsync("import", image.Tarball, reference);
        await client.CheckedAsync("push", reference);
        await client.CheckedAsync("rmi", reference);
        return reference;
    }
}
