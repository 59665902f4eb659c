using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// What the real skopeo tells its user when the registry's store is full or read-only, and what the registry's own
/// log keeps for the operator: the OS error and the path.
/// </summary>
public sealed class SkopeoStoreFaultTests : IDisposable
{
    private const int StoreMiB = 4;

    private readonly string _work = TempDirectory.Create("skopeo-store-fault");

    public void Dispose() => TempDirectory.Delete(_work);

    [Fact]
    public async Task Push_FullStore_SkopeoShowsTheStoreIsFull()
    {
        await using var store = await TmpfsMount.CreateAsync("skopeo-full", StoreMiB);
        await using var registry = await RegistryProcess.StartAsync(storagePath: store.Path);

        var result = await PushAsync(registry, TestImage.Oci("amd64", (StoreMiB + 2) * 1024 * 1024));
        await registry.StopAsync();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("store is full", result.Stderr);
        Assert.Contains("No space left on device", registry.Output);
        Assert.Contains($"'{store.Path}/uploads/", registry.Output);
    }

    [Fact]
    public async Task Push_ReadOnlyStore_SkopeoShowsTheStoreIsReadOnly()
    {
        await using var store = await TmpfsMount.CreateAsync("skopeo-ro", StoreMiB);
        await using var registry = await RegistryProcess.StartAsync(storagePath: store.Path);
        await store.RemountReadOnlyAsync();

        var result = await PushAsync(registry, TestImage.Oci("amd64", 4096));
        await registry.StopAsync();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("store is read-only", result.Stderr);
        Assert.Contains("Read-only file system", registry.Output);
        Assert.Contains($"'{store.Path}/uploads", registry.Output);
    }

    private async Task<CommandResult> PushAsync(RegistryProcess registry, TestImage image)
    {
        var source = new OciLayoutWriter(Path.Combine(_work, Guid.NewGuid().ToString("N")));
        source.AddImage(image);
        source.Tag("v1", image.MediaType, image.Manifest);
        source.Save();
        var login = $"{RegistryServer.Username}:{RegistryServer.Password}";
        // --retry-times 0: skopeo would otherwise retry a 5xx a few times before it gives up.
        return await Skopeo.RunAsync(
            ["--insecure-policy", "copy", "--retry-times", "0", "--dest-tls-verify=false", "--dest-creds", login, $"oci:{source.Root}:v1", $"docker://{registry.BaseAddress.Authority}/app:v1"]);
    }
}
