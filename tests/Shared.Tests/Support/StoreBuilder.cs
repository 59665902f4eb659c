using System.Security.Cryptography;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Tests.Support;

/// <summary>
/// Pushes images, indexes and referrers into a <see cref="TempStore"/> through the real stores, with control over
/// which layers they share, and checks afterwards that a manifest is still whole.
/// </summary>
public sealed class StoreBuilder(TempStore store, Random? random = null)
{
    private readonly Random _random = random ?? new Random(1);

    public TempStore Store => store;

    public byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Pushes an image whose config is unique to it and whose layers are the given ones (shared if reused).</summary>
    /// <param name="tag">The tag to push it as; by digest when null.</param>
    /// <param name="pushLayers">False to push only the config and manifest, as a client does once a HEAD shows the repository has the layers.</param>
    /// <param name="algorithm">The digest algorithm of every blob and of the manifest.</param>
    public async Task<BuiltManifest> ImageAsync(
        RepositoryName name,
        string? tag,
        IReadOnlyList<byte[]> layers,
        Descriptor? subject = null,
        string? artifactType = null,
        bool pushLayers = true,
        string algorithm = Digest.Sha256)
    {
        var config = TestManifests.Utf8($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"id\":\"{Convert.ToHexStringLower(RandomBytes(8))}\"}}");
        var blobs = new List<Digest> { await store.PushBlobAsync(name, config, algorithm) };
        foreach (var layer in layers)
        {
            blobs.Add(pushLayers ? await store.PushBlobAsync(name, layer, algorithm) : Digest.Compute(layer, algorithm));
        }

        var content = TestManifests.Image(
            TestManifests.DescriptorOf(TestManifests.OciConfig, config, algorithm),
            layers.Select(l => TestManifests.DescriptorOf(TestManifests.OciLayer, l, algorithm)),
            subject: subject,
            artifactType: artifactType);
        return await PutAsync(name, tag, content, MediaTypes.OciManifest, blobs, algorithm);
    }

    /// <summary>Pushes a multi-platform index over manifests the repository already holds.</summary>
    public Task<BuiltManifest> IndexAsync(RepositoryName name, string? tag, IReadOnlyList<BuiltManifest> children)
    {
        var content = TestManifests.Index(children.Select(c => c.Descriptor));
        return PutAsync(name, tag, content, MediaTypes.OciIndex, children.SelectMany(c => c.Blobs).ToList());
    }

    /// <summary>Pushes a signature-like artifact whose subject is <paramref name="subject"/>, by digest.</summary>
    public Task<BuiltManifest> ReferrerAsync(RepositoryName name, BuiltManifest subject, string? tag = null, string algorithm = Digest.Sha256) =>
        ImageAsync(name, tag, [RandomBytes(32)], subject.Descriptor, "application/vnd.example.signature", algorithm: algorithm);

    /// <summary>Asserts that the repository still serves the manifest and that every blob it needs is in the store.</summary>
    public async Task AssertWholeAsync(BuiltManifest manifest)
    {
        var stored = await store.Manifests.GetOrNullAsync(manifest.Repository, Reference.Parse(manifest.Digest.ToString()), CancellationToken.None);
        Assert.True(stored is not null, $"manifest {manifest} is gone");
        foreach (var blob in manifest.Blobs)
        {
            Assert.True(store.Blobs.Exists(blob), $"blob {blob} of {manifest} is gone");
        }
    }

    private async Task<BuiltManifest> PutAsync(RepositoryName name, string? tag, byte[] content, string mediaType, List<Digest> blobs, string algorithm = Digest.Sha256)
    {
        var digest = Digest.Compute(content, algorithm);
        var pushed = await store.Manifests.PutAsync(name, Reference.Parse(tag ?? digest.ToString()), content, mediaType, CancellationToken.None);
        return new BuiltManifest(name, pushed.Digest, new Descriptor(mediaType, pushed.Digest.ToString(), content.Length), [pushed.Digest, .. blobs]);
    }
}
