using System.Globalization;
using System.Net;
using NeonRegistry.Deployment.Support;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment;

/// <summary>
/// The image as users get it (docker/build.sh --local-base on the Debian base, from docker/Dockerfile) run by the
/// run's own dockerd: its health check, its user, its volumes, its stop, its subcommands and cache mode.
/// Containers use the host's network, on ports of <see cref="ContainerEngines"/>.
/// </summary>
[Collection(ContainerEngines.Name)]
public sealed class ImageTests(DockerEngine docker)
{
    private const int PrimaryPort = ContainerEngines.ImagePorts;
    private const int CachePort = ContainerEngines.ImagePorts + 1;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public void Dockerfile_CopiesOnlyPathsThatExist()
    {
        var dockerfile = Dockerfile.Read();
        var copies = dockerfile.Instructions.Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(copies);
        foreach (var (_, arguments) in copies)
        {
            var sources = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1].Select(dockerfile.WithArgumentDefaults);
            Assert.All(sources, source => Assert.True(Path.Exists(RepositoryRoot.File(source)), $"COPY {source}: no such path"));
        }
    }

    [Fact]
    public void Dockerfile_FinalStage_DeclaresStoresPortsUserHealthCheckAndEntrypoint()
    {
        var dockerfile = Dockerfile.Read();

        Assert.Equal("${RUNTIME_IMAGE}", dockerfile.Single("FROM"));
        Assert.StartsWith("mcr.microsoft.com/dotnet/runtime-deps:", dockerfile.WithArgumentDefaults("${RUNTIME_IMAGE}"), StringComparison.Ordinal);
        Assert.Equal("$APP_UID", dockerfile.Single("USER"));
        Assert.Equal(["/var/lib/registry", "/var/lib/neon-registry-cache"], Dockerfile.ExecForm(dockerfile.Single("VOLUME")));
        Assert.Equal(["5000", "5002"], dockerfile.Single("EXPOSE").Split(' '));
        Assert.Equal(["/app/neon-registry"], Dockerfile.ExecForm(dockerfile.Single("ENTRYPOINT")));
        Assert.Equal(["/app/neon-registry", "healthcheck"], Dockerfile.ExecForm(dockerfile.Single("HEALTHCHECK")));
        Assert.Contains("RUN bash docker/publish.sh /app", dockerfile.Instructions.Select(i => $"{i.Keyword} {i.Arguments}"));
    }

    [SkippableTheory]
    [InlineData("0")]
    [InlineData("1")]
    public async Task Dockerfile_OnThisEngine_ParsesWithTheClassicBuilderAndBuildKit(string buildKit)
    {
        docker.RequireRunning();
        using var client = docker.Client();
        client.Environment["DOCKER_BUILDKIT"] = buildKit;

        // A target no stage has: the engine parses the whole file, then refuses before it pulls anything.
        var build = await ExternalCommand.RunAsync(
            Path.Combine(docker.ClientDirectory, "docker"), ["build", "--file", "docker/Dockerfile", "--target", "no-such-stage", "."], client.Environment, RepositoryRoot.Path);

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("no-such-stage", build.Output);
        Assert.DoesNotContain("Unknown flag", build.Output, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task Image_Run_IsHealthyAsUid1654_WritesItsVolume_StopsAtOnce_AndItsSubcommandsRunOnTheVolume()
    {
        docker.RequireRunning();
        var image = await docker.Images.RegistryAsync();
        using var client = docker.Client();
        var volume = $"nrt-{Guid.NewGuid():N}";
        try
        {
            await using var registry = await DockerContainer.RunAsync(
                client, ["--network", "host", "--health-interval", "1s", "--volume", $"{volume}:/var/lib/registry", .. PrimarySettings(PrimaryPort), image]);
            await registry.WaitHealthyAsync(StartTimeout);

            // Only the probing interval is overridden: the command that passed is the image's own.
            Assert.Equal("[\"CMD\",\"/app/neon-registry\",\"healthcheck\"]", await client.CheckedAsync("container", "inspect", "--format", "{{json .Config.Healthcheck.Test}}", registry.Name));
            var status = await client.CheckedAsync("exec", registry.Name, "cat", "/proc/1/status");
            Assert.Contains(status.Split('\n'), line => line.StartsWith("Uid:", StringComparison.Ordinal) && line.Split('\t', StringSplitOptions.RemoveEmptyEntries).Skip(1).All(id => id == "1654"));
            // No diagnostics socket or debug pipes of the runtime's in /tmp (DOTNET_EnableDiagnostics=0).
            Assert.Equal("", (await client.CheckedAsync("exec", registry.Name, "ls", "-A", "/tmp")).Trim());

            using var http = PrimaryClient(PrimaryPort);
            var pushed = await http.PushImageAsync("app", "v1", layerCount: 1);
            var orphan = await http.PushBlobAsync("app", TestContent.RandomBytes(1024));

            // SIGTERM must end it within the second docker waits here; docker's SIGKILL after that would exit 137.
            await client.CheckedAsync("stop", "--time", "1", registry.Name);
            Assert.Equal(0, await registry.ExitCodeAsync());
            Assert.DoesNotContain("WRN", await registry.LogsAsync(), StringComparison.Ordinal);

            var verify = await client.RunAsync("run", "--rm", "--network", "none", "--volume", $"{volume}:/var/lib/registry", image, "verify");
            Assert.True(verify.ExitCode == 0, verify.ToString());
            var collect = await client.RunAsync("run", "--rm", "--network", "none", "--volume", $"{volume}:/var/lib/registry", image, "garbage-collect", "--dry-run", "--grace=0s");
            Assert.True(collect.ExitCode == 0, collect.ToString());
            Assert.Contains($"would delete blob {orphan} (1024 bytes)", collect.Stdout);
            Assert.DoesNotContain(pushed.Digest, collect.Stdout);
        }
        finally
        {
            await client.RunAsync("volume", "rm", "--force", volume);
        }
    }

    [SkippableFact]
    public async Task Image_CacheMode_ServesWhatItsUpstreamHasFromItsCacheVolume()
    {
        docker.RequireRunning();
        var image = await docker.Images.RegistryAsync();
        using var client = docker.Client();
        await using var upstream = await RegistryServer.StartAsync();
        var pushed = await upstream.Client.PushImageAsync("team/app", "v1", layerCount: 1);

        await using var cache = await DockerContainer.RunAsync(
            client,
            "--network", "host", "--health-interval", "1s",
            "--env", $"REMOTE_URL={upstream.BaseAddress}", "--env", $"USER={RegistryServer.Username}", "--env", $"PASSWORD={RegistryServer.Password}",
            "--env", $"PORT={CachePort.ToString(CultureInfo.InvariantCulture)}",
            image);
        await cache.WaitHealthyAsync(StartTimeout);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{CachePort}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/team/app/manifests/v1");
        request.Headers.Accept.ParseAdd(TestContent.OciManifest);
        using var manifest = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(pushed.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        var layer = TestContent.DigestOf(pushed.Layers[0]);
        Assert.Equal(pushed.Layers[0], await http.GetByteArrayAsync($"/v2/team/app/blobs/{layer}"));
        var stored = await client.CheckedAsync("exec", cache.Name, "find", "/var/lib/neon-registry-cache", "-type", "f", "-name", layer["sha256:".Length..]);
        Assert.NotEmpty(stored);
    }

    private static string[] PrimarySettings(int port) =>
    [
        "--env", $"USERNAME={RegistryServer.Username}", "--env", $"PASSWORD={RegistryServer.Password}", "--env", $"SECRET={RegistryServer.TestSecret}",
        "--env", $"PORT={port.ToString(CultureInfo.InvariantCulture)}",
    ];

    private static HttpClient PrimaryClient(int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = RegistryServer.BasicAuth(RegistryServer.Username, RegistryServer.Password);
        return client;
    }
}
