using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>
/// What the engine tests make their images of: a root filesystem holding one small file of random bytes (so every
/// image has layers no other has), as a tarball for <c>docker import</c> and as a build context for buildah.
/// </summary>
public sealed class TinyImage : IDisposable
{
    private TinyImage(string directory)
    {
        Directory = directory;
    }

    /// <summary>The build context: a Dockerfile (FROM scratch, COPY the file) and the file.</summary>
    public string Directory { get; }

    public string Tarball => Path.Combine(Directory, "rootfs.tar");

    public static async Task<TinyImage> CreateAsync()
    {
        var image = new TinyImage(TempDirectory.Create("tiny-image"));
        var rootfs = Path.Combine(image.Directory, "rootfs");
        System.IO.Directory.CreateDirectory(rootfs);
        await File.WriteAllBytesAsync(Path.Combine(rootfs, "payload.bin"), TestContent.RandomBytes(4096));
        await File.WriteAllTextAsync(Path.Combine(image.Directory, "Dockerfile"), "FROM scratch\nCOPY rootfs/payload.bin /payload.bin\n");
        (await ExternalCommand.RunAsync("tar", ["-C", rootfs, "-cf", image.Tarball, "."])).EnsureSuccess();
        return image;
    }

    public void Dispose() => TempDirectory.Delete(Directory);
}
