namespace NeonRegistry.Integration.Support;

/// <summary>
/// Writes an OCI image layout (image-spec "OCI Image Layout"): <c>oci-layout</c>, blobs under
/// <c>blobs/sha256/</c>, and an <c>index.json</c> whose entries carry the tag as
/// <c>org.opencontainers.image.ref.name</c>, which is how skopeo's <c>oci:dir:tag</c> finds an image.
/// </summary>
public sealed class OciLayoutWriter(string directory)
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private readonly List<object> _entries = [];

    public string Root { get; } = directory;

    /// <summary>Writes the image's config, layers and manifest as blobs, without tagging it.</summary>
    public void AddImage(TestImage image)
    {
        foreach (var blob in image.Blobs.Append(image.Manifest))
        {
            AddBlob(blob);
        }
    }

    public void AddBlob(byte[] content)
    {
        var path = OciLayoutReader.BlobPath(Root, TestContent.DigestOf(content));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    /// <summary>Writes a manifest or index as a blob and names it <paramref name="tag"/> in index.json.</summary>
    public void Tag(string tag, string mediaType, byte[] manifest)
    {
        AddBlob(manifest);
        _entries.Add(new
        {
            mediaType,
            digest = TestContent.DigestOf(manifest),
            size = manifest.Length,
            annotations = new Dictionary<string, string> { [RefNameAnnotation] = tag },
        });
    }

    /// <summary>Writes the layout marker and index.json; call once, after every tag.</summary>
    public void Save()
    {
        Directory.CreateDirectory(Root);
        File.WriteAllBytes(Path.Combine(Root, "oci-layout"), TestContent.Json(new { imageLayoutVersion = "1.0.0" }));
        File.WriteAllBytes(
            Path.Combine(Root, "index.json"),
            TestContent.Json(new { schemaVersion = 2, mediaType = TestContent.OciIndex, manifests = _entries }));
    }
}
