namespace NeonRegistry.Integration.Support;

/// <summary>A generated single-platform image: random tar+gzip layers, a config naming their diff ids, and the manifest over both.</summary>
public sealed record TestImage(string MediaType, string Architecture, byte[] Manifest, byte[] Config, IReadOnlyList<byte[]> Layers)
{
    public string Digest => TestContent.DigestOf(Manifest);

    /// <summary>Config first, then layers: every blob the manifest names.</summary>
    public IEnumerable<byte[]> Blobs => Layers.Prepend(Config);

    /// <param name="layerSizes">Uncompressed size of the one random file in each layer.</param>
    public static TestImage Oci(string architecture, params int[] layerSizes) =>
        Create(TestContent.OciManifest, TestContent.OciConfig, TestContent.OciLayer, architecture, layerSizes);

    public static TestImage Docker(params int[] layerSizes) =>
        Create(TestContent.DockerManifest, TestContent.DockerConfig, TestContent.DockerLayer, "amd64", layerSizes);

    private static TestImage Create(string mediaType, string configMediaType, string layerMediaType, string architecture, int[] layerSizes)
    {
        var layers = layerSizes.Select(TestContent.RandomLayer).ToList();
        var config = TestContent.Config(layers.Select(l => l.DiffId), architecture);
        var manifest = TestContent.Manifest(mediaType, configMediaType, config, layers.Select(l => (layerMediaType, l.Layer)));
        return new TestImage(mediaType, architecture, manifest, config, layers.Select(l => l.Layer).ToList());
    }
}
