using Xunit.Sdk;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// A small tmpfs mounted for one test (tests run as root), to give the registry a store that really fills up or
/// really turns read-only: the kernel answers ENOSPC and EROFS, nothing is simulated. Unmounted on dispose.
/// </summary>
public sealed class TmpfsMount : IAsyncDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static async Task<TmpfsMount> CreateAsync(string purpose, int sizeMiB)
    {
        var path = TempDirectory.Create(purpose);
        var mounted = await ExternalCommand.RunAsync("mount", ["-t", "tmpfs", "-o", $"size={sizeMiB}m,mode=0755", "tmpfs", path]);
        if (mounted.ExitCode != 0)
        {
            TempDirectory.Delete(path);
            throw new XunitException($"mounting a tmpfs needs root (the suite runs as root, as CI does): {mounted.Output}");
        }

        return new TmpfsMount(path);
    }

    /// <summary>Fills the filesystem to its last byte with one file, so every further write fails with ENOSPC.</summary>
    public async Task FillAsync()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        // Unbuffered, so nothing is left to fail again on dispose.
        await using var file = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                file.Write(block);
            }
        }
        catch (IOException)
        {
            // Full: what fitted stays.
        }
    }

    public async Task RemountReadOnlyAsync()
    {
        (await ExternalCommand.RunAsync("mount", ["-o", "remount,ro", Path])).EnsureSuccess();
    }

    public async ValueTask DisposeAsync()
    {
        // Lazy: a server that has not quite let go of a file must not leave the mount behind.
        await ExternalCommand.RunAsync("umount", ["--lazy", Path]);
        TempDirectory.Delete(Path);
    }
}
