using NeonRegistry.Deployment.Support;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment;

/// <summary>
/// One cache in front of two upstreams with different logins (our primary and the reference registry), each
/// named in the upstreams file by its host:port as clients name it: podman with a prefix mirror per registry
/// (the path form, a port's ':' written '_'), and containerd with a hosts.toml per registry (<c>?ns=</c>).
/// The upstreams refuse anonymous pulls, so only the cache, which logs in to each, can serve the clients.
/// </summary>
[Collection(ContainerEngines.Name)]
public sealed class MultiUpstreamEngineTests(ContainerdEngine containerd, DockerEngine docker, PodmanEngine podman)
{
    [SkippableFact]
    public async Task Podman_PrefixMirrorPerRegistry_PullsEachThroughTheCache()
    {
        podman.RequireRunning();
        await using var setup = await StartAsync();
        var primary = $"{setup.Primary.Authority}/team/app:v1";
        var reference = $"{Authority(setup.Reference)}/team/app:v1";
        await BuildAndPushAsync(primary, $"{RegistryServer.Username}:{RegistryServer.Password}");
        await BuildAndPushAsync(reference, $"{DistributionRegistry.Username}:{DistributionRegistry.Password}");
        var cache = await setup.StartCacheAsync();
        var registriesConf = Path.Combine(setup.Directory, "registries.conf");
        await File.WriteAllTextAsync(registriesConf, "unqualified-search-registries = []\n"
            + Mirror(setup.Primary.Authority, cache.Authority) + Mirror(Authority(setup.Reference), cache.Authority));
        var environment = new Dictionary<string, string?> { ["CONTAINERS_REGISTRIES_CONF"] = registriesConf };

        var pulledPrimary = await podman.RunAsync("podman", ["pull", primary], environment);
        var pulledReference = await podman.RunAsync("podman", ["pull", reference], environment);
        await podman.RunAsync("podman", ["rmi", primary, reference]);

        Assert.True(pulledPrimary.ExitCode == 0, pulledPrimary.ToString());
        Assert.True(pulledReference.ExitCode == 0, pulledReference.ToString());
        var catalog = await cache.Client.GetStringAsync("/v2/_catalog");
        Assert.Contains($"{setup.Primary.Authority.Replace(':', '_')}/team/app", catalog);
        Assert.Contains($"{Authority(setup.Reference).Replace(':', '_')}/team/app", catalog);
    }

    [SkippableFact]
    public async Task Containerd_HostsTomlPerRegistry_PullsEachThroughTheCache_OneWithItsUpstreamGone()
    {
        containerd.RequireRunning();
        docker.RequireRunning();
        await using var setup = await StartAsync();
        var primary = await PushWithDockerAsync(setup.Primary.Authority, RegistryServer.Username, RegistryServer.Password);
        var reference = await PushWithDockerAsync(Authority(setup.Reference), DistributionRegistry.Username, DistributionRegistry.Password);
        var cache = await setup.StartCacheAsync();
        var hosts = Path.Combine(setup.Directory, "hosts-d");
        foreach (var registry in new[] { setup.Primary.Authority, Authority(setup.Reference) })
        {
            Directory.CreateDirectory(Path.Combine(hosts, registry));
            await File.WriteAllTextAsync(Path.Combine(hosts, registry, "hosts.toml"), $"""
                server = "http://{registry}"

                [host."http://{cache.Authority}"]
                  capabilities = ["pull", "resolve"]
                """);
        }

        await CtrAsync("images", "pull", "--hosts-dir", hosts, "--snapshotter", "native", primary);
        await CtrAsync("images", "pull", "--hosts-dir", hosts, "--snapshotter", "native", reference);
        await setup.Reference.DisposeAsync();
        await CtrAsync("images", "rm", "--sync", primary, reference);
        // The reference registry is gone: only the cache has its image now.
        await CtrAsync("images", "pull", "--hosts-dir", hosts, "--snapshotter", "native", reference);
        await CtrAsync("images", "rm", "--sync", reference);
    }

    /// <summary>Both upstreams, named in the file by host:port, as containerd and podman name them.</summary>
    private static async Task<MultiUpstreamSetup> StartAsync()
    {
        var setup = await MultiUpstreamSetup.StartAsync();
        setup.WriteFile(
            setup.Entry(setup.Primary.Authority, setup.Primary.BaseAddress, RegistryServer.Username, "primary.password")
            + setup.Entry(Authority(setup.Reference), setup.Reference.BaseAddress, DistributionRegistry.Username, "reference.password"));
        return setup;
    }

    private static string Authority(DistributionRegistry registry) => registry.BaseAddress.Authority;

    private static string Mirror(string registry, string cache) => $"""

        [[registry]]
        prefix = "{registry}"
        location = "{registry}"
        insecure = true

        [[registry.mirror]]
        location = "{cache}/{registry.Replace(':', '_')}"
        insecure = true

        """;

    private async Task BuildAndPushAsync(string reference, string credentials)
    {
        using var image = await TinyImage.CreateAsync();
        await podman.CheckedAsync("buildah", "bud", "--isolation", "chroot", "--tag", reference, image.Directory);
        await podman.CheckedAsync("podman", "push", "--tls-verify=false", "--creds", credentials, reference);
        await podman.CheckedAsync("podman", "rmi", reference);
    }

    private async Task<string> PushWithDockerAsync(string registry, string user, string password)
    {
        using var client = docker.Client();
        using var image = await TinyImage.CreateAsync();
        var reference = $"{registry}/team/app:v1";
        await client.CheckedAsync("login", "--username", user, "--password", password, registry);
        await client.CheckedAsync("import", image.Tarball, reference);
        await client.CheckedAsync("push", reference);
        await client.CheckedAsync("rmi", reference);
        return reference;
    }

    private async Task CtrAsync(params string[] arguments)
    {
        var result = await containerd.Containerd.CtrAsync(arguments);
        Assert.True(result.ExitCode == 0, $"ctr {string.Join(' ', arguments)}: {result}");
    }
}
