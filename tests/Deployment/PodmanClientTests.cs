using System.Net;
using System.Text.Json;
using NeonRegistry.Deployment.Support;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment;

/// <summary>
/// podman and buildah (a store of the run's own) against the registry on loopback: an image built FROM scratch
/// by buildah, pushed as Docker schema 2 and with zstd layers and pulled back; and a registries.conf mirror
/// pulling through the cache, still with its upstream gone.
/// </summary>
[Collection(ContainerEngines.Name)]
public sealed class PodmanClientTests(PodmanEngine podman)
{
    private static readonly string Credentials = $"{RegistryServer.Username}:{RegistryServer.Password}";

    [SkippableTheory]
    [InlineData("v2s2", TestContent.DockerManifest, "application/vnd.docker.image.rootfs.diff.tar.gzip")]
    [InlineData("zstd", TestContent.OciManifest, "application/vnd.oci.image.layer.v1.tar+zstd")]
    public async Task Primary_PodmanPush_StoresTheFormatAsked_AndPullsBack(string format, string manifestType, string layerType)
    {
        podman.RequireRunning();
        await using var registry = await RegistryServer.StartAsync();
        var reference = $"{registry.Authority}/podman/app:{format}";
        await BuildAsync(reference);
        string[] options = format == "v2s2" ? ["--format", "v2s2"] : ["--format", "oci", "--compression-format", "zstd"];

        await podman.CheckedAsync("podman", ["push", "--tls-verify=false", "--creds", Credentials, .. options, reference]);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/podman/app/manifests/{format}");
        request.Headers.Accept.ParseAdd(manifestType);
        using var response = await registry.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(manifestType, response.Content.Headers.ContentType?.MediaType);
        using var manifest = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(layerType, manifest.RootElement.GetProperty("layers")[0].GetProperty("mediaType").GetString());

        await podman.CheckedAsync("podman", "rmi", reference);
        await podman.CheckedAsync("podman", "pull", "--tls-verify=false", "--creds", Credentials, reference);
    }

    [SkippableFact]
    public async Task Cache_RegistriesConfMirror_PullsThroughTheCache_ThenStillWithTheUpstreamGone()
    {
        podman.RequireRunning();
        var upstream = await RegistryServer.StartAsync();
        var upstreamRunning = true;
        await using var cache = await RegistryServer.StartCacheAsync(upstream.BaseAddress, RegistryServer.Username, RegistryServer.Password);
        var config = TempDirectory.Create("registries-conf");
        try
        {
            var reference = $"{upstream.Authority}/mirrored/app:v1";
            await BuildAsync(reference);
            await podman.CheckedAsync("podman", "push", "--tls-verify=false", "--creds", Credentials, reference);
            await podman.CheckedAsync("podman", "rmi", reference);
            var registriesConf = Path.Combine(config, "registries.conf");
            // The upstream itself refuses anonymous pulls: only the mirror, which logs in for the client, can serve them.
            await File.WriteAllTextAsync(registriesConf, $"""
                unqualified-search-registries = []

                [[registry]]
                location = "{upstream.Authority}"
                insecure = true

                [[registry.mirror]]
                location = "{cache.Authority}"
                insecure = true
                """);
            var environment = new Dictionary<string, string?> { ["CONTAINERS_REGISTRIES_CONF"] = registriesConf };

            var first = await podman.RunAsync("podman", ["pull", reference], environment);
            Assert.True(first.ExitCode == 0, first.ToString());

            await upstream.DisposeAsync();
            upstreamRunning = false;
            await podman.CheckedAsync("podman", "rmi", reference);
            var again = await podman.RunAsync("podman", ["pull", reference], environment);
            Assert.True(again.ExitCode == 0, again.ToString());
        }
        finally
        {
            if (upstreamRunning)
            {
                await upstream.DisposeAsync();
            }

            TempDirectory.Delete(config);
        }
    }

    /// <summary>A one-file image FROM scratch, built by buildah (chroot isolation: no runtime needed).</summary>
    private async Task BuildAsync(string reference)
    {
        using var image = await TinyImage.CreateAsync();
        await podman.CheckedAsync("buildah", "bud", "--isolation", "chroot", "--tag", reference, image.Directory);
    }
}
