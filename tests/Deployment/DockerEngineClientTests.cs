using System.Net;
using System.Text.Json;
using NeonRegistry.Deployment.Support;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment;

/// <summary>
/// The docker CLI and dockerd (the run's own) against the registry on loopback: login, push with layers mounted
/// across repositories, pull, docker manifest push of a multi-platform index; and the cache as dockerd's
/// registry mirror, Docker Hub names included, still serving once its upstream is gone.
/// </summary>
[Collection(ContainerEngines.Name)]
public sealed class DockerEngineClientTests(DockerEngine docker)
{
    [SkippableFact]
    public async Task Primary_LoginPushPull_MountsTheSharedLayerIntoAnotherRepository()
    {
        docker.RequireRunning();
        await using var registry = await RegistryServer.StartAsync();
        using var client = docker.Client();
        using var image = await TinyImage.CreateAsync();
        await client.CheckedAsync("login", "--username", RegistryServer.Username, "--password", RegistryServer.Password, registry.Authority);
        var first = $"{registry.Authority}/team/base:v1";
        var second = $"{registry.Authority}/team/other:v1";
        await client.CheckedAsync("import", image.Tarball, first);
        await client.CheckedAsync("push", first);
        await client.CheckedAsync("tag", first, second);

        var push = await client.CheckedAsync("push", second);

        Assert.Contains("Mounted from team/base", push);
        var layers = await client.CheckedAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", second);
        await client.CheckedAsync("rmi", first, second);
        await client.CheckedAsync("pull", second);
        Assert.Equal(layers, await client.CheckedAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", second));
    }

    [SkippableFact]
    public async Task Primary_DockerManifestPush_StoresAMultiPlatformIndex()
    {
        docker.RequireRunning();
        await using var registry = await RegistryServer.StartAsync();
        using var client = docker.Client();
        await client.CheckedAsync("login", "--username", RegistryServer.Username, "--password", RegistryServer.Password, registry.Authority);
        var list = $"{registry.Authority}/multi/app:v1";
        foreach (var arch in new[] { "amd64", "arm64" })
        {
            using var image = await TinyImage.CreateAsync();
            await client.CheckedAsync("import", image.Tarball, $"{registry.Authority}/multi/app:{arch}");
            await client.CheckedAsync("push", $"{registry.Authority}/multi/app:{arch}");
        }

        await client.CheckedAsync("manifest", "create", "--insecure", list, $"{registry.Authority}/multi/app:amd64", $"{registry.Authority}/multi/app:arm64");
        await client.CheckedAsync("manifest", "annotate", "--os", "linux", "--arch", "arm64", list, $"{registry.Authority}/multi/app:arm64");
        var digest = await client.CheckedAsync("manifest", "push", "--insecure", list);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/multi/app/manifests/v1");
        request.Headers.Accept.ParseAdd(TestContent.DockerManifestList);
        using var response = await registry.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestContent.DockerManifestList, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(digest, response.Header("Docker-Content-Digest"));
        using var index = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        var architectures = index.RootElement.GetProperty("manifests").EnumerateArray().Select(m => m.GetProperty("platform").GetProperty("architecture").GetString()).Order();
        Assert.Equal(["amd64", "arm64"], architectures);
    }

    [SkippableFact]
    public async Task Cache_AsRegistryMirror_PullsADockerHubName_ThenStillWithTheUpstreamGone()
    {
        docker.RequireRunning();
        using var client = docker.Client();
        var upstream = await RegistryServer.StartAsync();
        var upstreamRunning = true;
        await using var cache = await RegistryServer.StartCacheAsync(upstream.BaseAddress, RegistryServer.Username, RegistryServer.Password, MirrorSettings);
        try
        {
            using var image = await TinyImage.CreateAsync();
            await client.CheckedAsync("login", "--username", RegistryServer.Username, "--password", RegistryServer.Password, upstream.Authority);
            await client.CheckedAsync("import", image.Tarball, $"{upstream.Authority}/library/busybox:latest");
            await client.CheckedAsync("push", $"{upstream.Authority}/library/busybox:latest");
            await client.CheckedAsync("rmi", $"{upstream.Authority}/library/busybox:latest");

            // No route to Docker Hub here: busybox can only come from the mirror, as library/busybox.
            await client.CheckedAsync("pull", "busybox");
            using var cached = await cache.Client.GetAsync("/v2/library/busybox/tags/list");
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);

            await upstream.DisposeAsync();
            upstreamRunning = false;
            await client.CheckedAsync("rmi", "busybox");
            await client.CheckedAsync("pull", "busybox");
        }
        finally
        {
            if (upstreamRunning)
            {
                await upstream.DisposeAsync();
            }
        }
    }

    /// <summary>The cache on the port dockerd's daemon.json names as its mirror.</summary>
    private static Dictionary<string, string?> MirrorSettings => new() { ["urls"] = $"http://127.0.0.1:{DockerEngine.MirrorPort}" };
}
