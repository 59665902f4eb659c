using Microsoft.Extensions.Caching.Memory;
using System.Security.Cryptography;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Tests.Support;

/// <summary>
/// A fresh store in its own temp directory, wired the way the host wires it, and deleted when the test ends.
/// </summary>
public sealed class TempStore : IDisposable
{
    /// <param name="clock">The stores' clock, which their touches renew file ages by; the system's by default.</param>
    public TempStore(TimeProvider? clock = null)
    {
        Clock = clock ?? TimeProvider.System;
        Root = Path.Combine(Path.GetTempPath(), "neon-registry-unit", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Layout = new StorageLayout(Root);
        Blobs = new BlobStore(Layout, Clock);
        Tags = new TagStore(Layout);
        Referrers = new ReferrersIndex(Layout);
        Manifests = new ManifestStore(Layout, Blobs, Tags, Referrers, new MemoryCache(new MemoryCacheOptions { SizeLimit = 64 * 1024 * 1024 }), Clock);
        Uploads = new UploadStore(Layout, Blobs);
        Catalog = new RepositoryCatalog(Layout);
    }

    public string Root { get; }

    public TimeProvider Clock { get; }

    public StorageLayout Layout { get; }

    public BlobStore Blobs { get; }

    public TagStore Tags { get; }

    public ReferrersIndex Referrers { get; }

    public ManifestStore Manifests { get; }

    public UploadStore Uploads { get; }

    public RepositoryCatalog Catalog { get; }

    /// <summary>Pushes a blob the way a client does (upload, commit, link) and returns its digest.</summary>
    public async Task<Digest> PushBlobAsync(RepositoryName name, byte[] content, string algorithm = Digest.Sha256)
    {
        var digest = Digest.Compute(content, algorithm);
        var id = Uploads.Start();
        var progress = await Uploads.AppendAsync(id, 0, new MemoryStream(content), content.Length, algorithm, discardOnFailure: false, CancellationToken.None);
        await Uploads.CommitAsync(id, digest, progress, CancellationToken.None);
        Blobs.Link(name, digest);
        return digest;
    }

    /// <summary>
    /// Pushes a config blob, one random layer and an OCI image manifest naming them, as a client pushes an image.
    /// </summary>
    public async Task<(Digest Digest, byte[] Content)> PushImageAsync(
        RepositoryName name,
        string reference,
        Descriptor? subject = null,
        string? artifactType = null)
    {
        var config = TestManifests.Utf8("{\"architecture\":\"amd64\",\"os\":\"linux\"}");
        var layer = RandomNumberGenerator.GetBytes(64);
        await PushBlobAsync(name, config);
        await PushBlobAsync(name, layer);
        var content = TestManifests.Image(
            TestManifests.DescriptorOf(TestManifests.OciConfig, config),
            [TestManifests.DescriptorOf(TestManifests.OciLayer, layer)],
            subject: subject,
            artifactType: artifactType);
        var pushed = await Manifests.PutAsync(name, Reference.Parse(reference), content, MediaTypes.OciManifest, CancellationToken.None);
        return (pushed.Digest, content);
    }

    /// <summary>Every file under the root, relative to it, in ordinal order: what a test sees as "the store".</summary>
    public IReadOnlyList<string> Files() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f))
            .Order(StringComparer.Ordinal)
            .ToList();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
