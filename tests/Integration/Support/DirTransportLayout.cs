namespace NeonRegistry.Integration.Support;

/// <summary>
/// skopeo's <c>dir:</c> transport (containers/image <c>directory</c>): a <c>version</c> file, the manifest as
/// <c>manifest.json</c> byte for byte, and each blob in a file named by its digest's hex. Unlike <c>oci:</c>,
/// it holds a Docker schema 2 manifest as is, so a Docker image can travel without conversion.
/// </summary>
public static class DirTransportLayout
{
    private const string Version = "Directory Transport Version: 1.1\n";

    public static void Write(string directory, TestImage image)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "version"), Version);
        File.WriteAllBytes(ManifestPath(directory), image.Manifest);
        foreach (var blob in image.Blobs)
        {
            File.WriteAllBytes(BlobPath(directory, TestContent.DigestOf(blob)), blob);
        }
    }

    public static string ManifestPath(string directory) => Path.Combine(directory, "manifest.json");

    public static string BlobPath(string directory, string digest) => Path.Combine(directory, digest[(digest.IndexOf(':') + 1)..]);
}
