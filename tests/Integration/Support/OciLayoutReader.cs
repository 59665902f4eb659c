using System.Text.Json;

namespace NeonRegistry.Integration.Support;

/// <summary>Reads back an OCI image layout that a client such as skopeo wrote.</summary>
public static class OciLayoutReader
{
    public static string BlobPath(string directory, string digest)
    {
        var (algorithm, encoded) = (digest[..digest.IndexOf(':')], digest[(digest.IndexOf(':') + 1)..]);
        return Path.Combine(directory, "blobs", algorithm, encoded);
    }

    /// <summary>The media type and digest that index.json names <paramref name="tag"/>; fails the test when no entry does.</summary>
    public static (string MediaType, string Digest) Resolve(string directory, string tag)
    {
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "index.json")));
        foreach (var entry in index.RootElement.GetProperty("manifests").EnumerateArray())
        {
            if (entry.TryGetProperty("annotations", out var annotations)
                && annotations.TryGetProperty(OciLayoutWriter.RefNameAnnotation, out var name)
                && name.GetString() == tag)
            {
                return (entry.GetProperty("mediaType").GetString()!, entry.GetProperty("digest").GetString()!);
            }
        }

        throw new Xunit.Sdk.XunitException($"index.json in {directory} names no image '{tag}'");
    }
}
