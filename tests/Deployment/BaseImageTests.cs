using NeonRegistry.Deployment.Support;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment;

/// <summary>docker/debian-base.sh: a Debian base for the runtime stage made from apt's mirror, no registry involved.</summary>
[Collection(ContainerEngines.Name)]
public sealed class BaseImageTests(DockerEngine docker)
{
    [SkippableFact]
    public async Task DebianBase_Imported_RunsAsTheImagesUserWithTheLibrariesTheRegistryLoads()
    {
        docker.RequireRunning();
        var image = await docker.Images.BaseAsync();
        using var client = docker.Client();

        var libraries = await client.CheckedAsync("run", "--rm", "--network", "none", "--user", "1654", image, "sh", "-c", "ldconfig -p | grep -oE 'lib(ssl|crypto|z|stdc\\+\\+)\\.so\\.[0-9]+' | sort -u");

        Assert.Equal(["libcrypto.so.3", "libssl.so.3", "libstdc++.so.6", "libz.so.1"], libraries.Split('\n'));
        Assert.Contains("bookworm-minbase-", string.Join(' ', Directory.GetFiles(DockerImages.CacheDirectory)));
    }

    [SkippableFact]
    public async Task DebianBase_SecondRunTheSameDay_ReusesTheCachedRootFilesystem()
    {
        docker.RequireRunning();
        await docker.Images.BaseAsync();
        using var client = docker.Client();

        var again = await ExternalCommand.BashAsync("docker/debian-base.sh", ["--cache-dir", DockerImages.CacheDirectory, "neon-registry-test-base:again"], client.Environment);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("debootstrap", again.Stderr);
        Assert.Equal(
            await client.CheckedAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", DockerImages.BaseName),
            await client.CheckedAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", "neon-registry-test-base:again"));
    }
}
