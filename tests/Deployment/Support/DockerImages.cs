using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>
/// The images the tests need in their <see cref="DockerEngine"/>, each made once per run, on first use, and
/// without pulling: a Debian base made by docker/debian-base.sh (its root filesystem cached by date under
/// <see cref="CacheDirectory"/>, so later runs that day only import it), and the registry's image built on it
/// by docker/build.sh --local-base.
/// </summary>
public sealed class DockerImages(DockerEngine engine)
{
    /// <summary>Outside the run's temp directory on purpose: it outlives the run.</summary>
    public const string CacheDirectory = "/var/cache/neon-registry-test";

    public const string BaseName = "neon-registry-test-base:bookworm";

    public const string RegistryName = "neon-registry-test";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private CommandResult? _base;
    private CommandResult? _registry;

    /// <summary>The Debian base's name; skips the test when it cannot be made here (no debootstrap, no mirror).</summary>
    public async Task<string> BaseAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _base ??= await MakeBaseAsync();
        }
        finally
        {
            _gate.Release();
        }

        Skip.If(_base.ExitCode != 0, $"no Debian base image: docker/debian-base.sh failed: {_base.Output}");
        return BaseName;
    }

    /// <summary>
    /// The registry's image as users get it, built by docker/build.sh --local-base on the Debian base from this
    /// checkout's docker/publish.sh output (compiled ahead of time: minutes, once per run); its name and tag.
    /// </summary>
    public async Task<string> RegistryAsync()
    {
        var baseImage = await BaseAsync();
        await _gate.WaitAsync();
        try
        {
            if (_registry is null)
            {
                using var client = engine.Client();
                var environment = new Dictionary<string, string?>(client.Environment)
                {
                    // The test host runs under MSBuild's variables; the nested dotnet publish must find its own.
                    ["MSBuildExtensionsPath"] = null,
                    ["MSBUILD_EXE_PATH"] = null,
                    ["MSBuildSDKsPath"] = null,
                };
                _registry = await ExternalCommand.BashAsync("docker/build.sh", ["--local-base", baseImage, "--image", RegistryName], environment, TimeSpan.FromMinutes(15));
            }
        }
        finally
        {
            _gate.Release();
        }

        return _registry.EnsureSuccess().Stdout.Split('\n').Single(line => line.StartsWith("tag: ", StringComparison.Ordinal))["tag: ".Length..];
    }

    private async Task<CommandResult> MakeBaseAsync()
    {
        if (!File.Exists("/usr/sbin/debootstrap"))
        {
            return new CommandResult("debootstrap", 1, [], "debootstrap is not installed (Debian: debootstrap)");
        }

        using var client = engine.Client();
        return await ExternalCommand.BashAsync("docker/debian-base.sh", ["--cache-dir", CacheDirectory, BaseName], client.Environment, TimeSpan.FromMinutes(15));
    }
}
