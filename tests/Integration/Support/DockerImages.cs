namespace NeonRegistry.Integration.Support;

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

    private readonly SemaphoreSlim _gate = new(1, 1);
    private CommandResult? _base;

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

    private async Task<CommandResult> MakeBaseAsync()
    {
        if (!File.Exists("/usr/sbin/debootstrap"))
        {
            return new CommandResult(1, "", "debootstrap is not installed (Debian: debootstrap)");
        }

        using var client = engine.Client();
        return await ExternalCommand.BashAsync("docker/debian-base.sh", ["--cache-dir", CacheDirectory, BaseName], client.Environment, TimeSpan.FromMinutes(15));
    }
}
