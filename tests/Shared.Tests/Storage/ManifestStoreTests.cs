using System.Security.Cryptography;
using System.Text;
using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

public sealed class ManifestStoreTests : IDisposable
{
    private static readonly RepositoryName App = RepositoryName.Parse("team/app");
    private static readonly RepositoryName Other = RepositoryName.Parse("team/other");

    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task PutAsync_ByTag_GetByTagAndByDigestReturnTheExactBytes()
    {
        var (digest, content) = await _store.PushImageAsync(App, "v1");

        var byTag = await GetAsync(App, "v1");
        var byDigest = await GetAsync(App, digest.ToString());

        Assert.NotNull(byTag);
        Assert.NotNull(byDigest);
        Assert.Equal(Digest.Compute(content), digest);
        Assert.Equal(digest, byTag.Digest);
        Assert.Equal(content, byTag.Content);
        Assert.Equal(MediaTypes.OciManifest, byTag.MediaType);
        Assert.Equal(content, byDigest.Content);
        Assert.True(_store.Manifests.Exists(App, digest));
    }

    [Fact]
    public async Task PutAsync_ByDigest_StoresWithoutATag()
    {
        var content = await ImageWithPushedBlobsAsync(App);
        var digest = Digest.Compute(content);

        var pushed = await PutAsync(App, digest.ToString(), content);

        Assert.Equal(digest, pushed.Digest);
        Assert.NotNull(await GetAsync(App, digest.ToString()));
        Assert.Equal([], _store.Tags.ListOrNull(App));
    }

    [Fact]
    public async Task PutAsync_DockerContentType_IsStoredWithThatMediaType()
    {
        var config = Encoding.UTF8.GetBytes("{}");
        var layer = RandomNumberGenerator.GetBytes(8);
        await _store.PushBlobAsync(App, config);
        await _store.PushBlobAsync(App, layer);
        var content = TestManifests.Image(
            TestManifests.DescriptorOf(TestManifests.DockerConfig, config),
            [TestManifests.DescriptorOf(TestManifests.DockerLayer, layer)],
            MediaTypes.DockerManifest);

        await _store.Manifests.PutAsync(App, Reference.Parse("latest"), content, MediaTypes.DockerManifest, CancellationToken.None);

        Assert.Equal(MediaTypes.DockerManifest, (await GetAsync(App, "latest"))?.MediaType);
    }

    [Fact]
    public async Task PutAsync_ContentNotMatchingTheDigestReference_ThrowsDigestInvalidAndStoresNothing()
    {
        var content = await ImageWithPushedBlobsAsync(App);
        var before = _store.Files();
        var wrong = Digest.Compute([.. content, (byte)' ']);

        var error = await Assert.ThrowsAsync<RegistryException>(() => PutAsync(App, wrong.ToString(), content));

        Assert.Equal(OciErrorCode.DigestInvalid, error.Code);
        Assert.Equal(before, _store.Files());
    }

    [Fact]
    public async Task PutAsync_Sha512Reference_StoresUnderTheSha512Digest()
    {
        var content = await ImageWithPushedBlobsAsync(App);
        var digest = Digest.FromHash(Digest.Sha512, SHA512.HashData(content));

        var pushed = await PutAsync(App, digest.ToString(), content);

        Assert.Equal(digest, pushed.Digest);
        Assert.Equal(content, (await GetAsync(App, digest.ToString()))?.Content);
        Assert.True(_store.Blobs.Exists(digest));
    }

    [Fact]
    public async Task PutAsync_UnknownLayer_ThrowsManifestBlobUnknownAndStoresNothing()
    {
        var config = Encoding.UTF8.GetBytes("{}");
        await _store.PushBlobAsync(App, config);
        var absent = TestManifests.Absent(TestManifests.OciLayer);
        var content = TestManifests.Image(TestManifests.DescriptorOf(TestManifests.OciConfig, config), [absent]);
        var before = _store.Files();

        var error = await Assert.ThrowsAsync<RegistryException>(() => PutAsync(App, "v1", content));

        Assert.Equal(OciErrorCode.ManifestBlobUnknown, error.Code);
        Assert.Equal(before, _store.Files());
        Assert.Null(await GetAsync(App, "v1"));
    }

    [Fact]
    public async Task PutAsync_UnknownConfig_ThrowsManifestBlobUnknown()
    {
        var layer = RandomNumberGenerator.GetBytes(8);
        await _store.PushBlobAsync(App, layer);
        var content = TestManifests.Image(
            TestManifests.Absent(TestManifests.OciConfig),
            [TestManifests.DescriptorOf(TestManifests.OciLayer, layer)]);

        var error = await Assert.ThrowsAsync<RegistryException>(() => PutAsync(App, "v1", content));

        Assert.Equal(OciErrorCode.ManifestBlobUnknown, error.Code);
    }

    [Fact]
    public async Task PutAsync_BlobsOnlyInAnotherRepository_ThrowsManifestBlobUnknown()
    {
        var content = await ImageWithPushedBlobsAsync(Other);

        var error = await Assert.ThrowsAsync<RegistryException>(() => PutAsync(App, "v1", content));

        Assert.Equal(OciErrorCode.ManifestBlobUnknown, error.Code);
    }

    [Fact]
    public async Task PutAsync_ForeignLayerNotHeld_IsAccepted()
    {
        var config = Encoding.UTF8.GetBytes("{}");
        await _store.PushBlobAsync(App, config);
        var content = TestManifests.Image(
            TestManifests.DescriptorOf(TestManifests.OciConfig, config),
            [TestManifests.Absent(TestManifests.DockerForeignLayer)]);

        var pushed = await PutAsync(App, "windows", content);

        Assert.Equal(pushed.Digest, (await GetAsync(App, "windows"))?.Digest);
    }

    [Fact]
    public async Task PutAsync_InvalidManifest_ThrowsManifestInvalidAndStoresNothing()
    {
        var config = Encoding.UTF8.GetBytes("{}");
        await _store.PushBlobAsync(App, config);
        var content = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{"mediaType":"{{TestManifests.OciConfig}}","digest":"{{Digest.Compute(config)}}","size":2},"layers":[null]}""");
        var before = _store.Files();

        var error = await Assert.ThrowsAsync<RegistryException>(() => PutAsync(App, "v1", content));

        Assert.Equal(OciErrorCode.ManifestInvalid, error.Code);
        Assert.Equal(before, _store.Files());
    }

    [Fact]
    public async Task PutAsync_IndexOfManifestsInTheRepository_IsStored()
    {
        var (child, childContent) = await _store.PushImageAsync(App, "amd64");
        var index = TestManifests.Index([TestManifests.DescriptorOf(MediaTypes.OciManifest, childContent)]);

        var pushed = await _store.Manifests.PutAsync(App, Reference.Parse("multi"), index, MediaTypes.OciIndex, CancellationToken.None);

        var stored = await GetAsync(App, "multi");
        Assert.Equal(MediaTypes.OciIndex, stored?.MediaType);
        Assert.Equal(index, stored?.Content);
        Assert.Equal(Digest.Compute(index), pushed.Digest);
        Assert.NotEqual(child, pushed.Digest);
    }

    [Fact]
    public async Task PutAsync_IndexOfUnknownManifest_ThrowsManifestBlobUnknown()
    {
        var index = TestManifests.Index([TestManifests.Absent(MediaTypes.OciManifest)]);

        var error = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Manifests.PutAsync(App, Reference.Parse("multi"), index, MediaTypes.OciIndex, CancellationToken.None));

        Assert.Equal(OciErrorCode.ManifestBlobUnknown, error.Code);
    }

    [Fact]
    public async Task PutAsync_IndexNamingABlobNotAManifest_ThrowsManifestBlobUnknown()
    {
        // An index's children must be manifests of this repository; a plain blob with the same digest is not one.
        var blob = RandomNumberGenerator.GetBytes(16);
        await _store.PushBlobAsync(App, blob);
        var index = TestManifests.Index([TestManifests.DescriptorOf(MediaTypes.OciManifest, blob)]);

        var error = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Manifests.PutAsync(App, Reference.Parse("multi"), index, MediaTypes.OciIndex, CancellationToken.None));

        Assert.Equal(OciErrorCode.ManifestBlobUnknown, error.Code);
    }

    [Fact]
    public async Task PutAsync_IndexOfManifestInAnotherRepository_ThrowsManifestBlobUnknown()
    {
        var (_, childContent) = await _store.PushImageAsync(Other, "amd64");
        var index = TestManifests.Index([TestManifests.DescriptorOf(MediaTypes.OciManifest, childContent)]);

        var error = await Assert.ThrowsAsync<RegistryException>(
            () => _store.Manifests.PutAsync(App, Reference.Parse("multi"), index, MediaTypes.OciIndex, CancellationToken.None));

        Assert.Equal(OciErrorCode.ManifestBlobUnknown, error.Code);
    }

    [Fact]
    public async Task PutAsync_ExistingTag_MovesItToTheNewManifest()
    {
        var (first, _) = await _store.PushImageAsync(App, "latest");

        var (second, _) = await _store.PushImageAsync(App, "latest");

        Assert.NotEqual(first, second);
        Assert.Equal(second, (await GetAsync(App, "latest"))?.Digest);
        Assert.NotNull(await GetAsync(App, first.ToString()));
    }

    [Fact]
    public async Task PutAsync_WithSubject_RecordsTheReferrerEvenIfTheSubjectIsAbsent()
    {
        // distribution-spec: a manifest with a subject is accepted before the subject exists.
        var subject = TestManifests.Absent(MediaTypes.OciManifest);

        var (digest, content) = await _store.PushImageAsync(App, "sbom", subject, "application/vnd.example.sbom");

        var referrer = Assert.Single(await _store.Referrers.ListAsync(App, Digest.Parse(subject.Digest), CancellationToken.None));
        Assert.Equal(digest.ToString(), referrer.Digest);
        Assert.Equal(content.Length, referrer.Size);
        Assert.Equal(MediaTypes.OciManifest, referrer.MediaType);
        Assert.Equal("application/vnd.example.sbom", referrer.ArtifactType);
    }

    [Fact]
    public async Task PutAsync_WithSubject_ReturnsTheSubject()
    {
        var subject = TestManifests.Absent(MediaTypes.OciManifest);
        var content = await ImageWithPushedBlobsAsync(App, subject);

        var pushed = await PutAsync(App, "sig", content);

        Assert.Equal(Digest.Parse(subject.Digest), pushed.Subject);
    }

    [Fact]
    public async Task PutAsync_WithoutSubject_ReturnsNoSubject()
    {
        var pushed = await PutAsync(App, "v1", await ImageWithPushedBlobsAsync(App));

        Assert.Null(pushed.Subject);
    }

    [Fact]
    public async Task GetOrNullAsync_Unknown_ReturnsNull()
    {
        await _store.PushImageAsync(App, "v1");

        Assert.Null(await GetAsync(App, "v2"));
        Assert.Null(await GetAsync(App, Digest.Compute([0]).ToString()));
        Assert.Null(await GetAsync(RepositoryName.Parse("never/pushed"), "v1"));
    }

    [Fact]
    public async Task GetOrNullAsync_DigestOfAnotherRepositorysManifest_ReturnsNull()
    {
        var (digest, _) = await _store.PushImageAsync(Other, "v1");

        Assert.Null(await GetAsync(App, digest.ToString()));
        Assert.False(_store.Manifests.Exists(App, digest));
    }

    [Fact]
    public async Task DeleteAsync_ByDigest_RemovesTheManifestAndEveryTagOnIt()
    {
        var (digest, _) = await _store.PushImageAsync(App, "v1");
        await _store.Tags.SetAsync(App, "latest", digest, CancellationToken.None);
        var (kept, _) = await _store.PushImageAsync(App, "v2");

        Assert.True(await DeleteAsync(App, digest.ToString()));

        Assert.Null(await GetAsync(App, digest.ToString()));
        Assert.False(_store.Manifests.Exists(App, digest));
        Assert.Equal(["v2"], _store.Tags.ListOrNull(App));
        Assert.Equal(kept, (await GetAsync(App, "v2"))?.Digest);
    }

    [Fact]
    public async Task DeleteAsync_ByDigest_RemovesTheReferrersEntry()
    {
        var subject = TestManifests.Absent(MediaTypes.OciManifest);
        var (kept, _) = await _store.PushImageAsync(App, "sig", subject);
        var (deleted, _) = await _store.PushImageAsync(App, "sbom", subject);

        Assert.True(await DeleteAsync(App, deleted.ToString()));

        var referrer = Assert.Single(await _store.Referrers.ListAsync(App, Digest.Parse(subject.Digest), CancellationToken.None));
        Assert.Equal(kept.ToString(), referrer.Digest);
    }

    [Fact]
    public async Task DeleteAsync_ManifestAlsoInAnotherRepository_KeepsTheOtherCopy()
    {
        // The bytes are stored once by digest; deleting is per repository.
        var content = await ImageWithPushedBlobsAsync(App);
        foreach (var blob in ManifestDocument.Parse(content, MediaTypes.OciManifest).References())
        {
            _store.Blobs.Link(Other, Digest.Parse(blob.Digest));
        }

        var digest = (await PutAsync(App, "v1", content)).Digest;
        await PutAsync(Other, "v1", content);

        Assert.True(await DeleteAsync(App, digest.ToString()));

        Assert.Null(await GetAsync(App, "v1"));
        Assert.Equal(content, (await GetAsync(Other, "v1"))?.Content);
    }

    [Fact]
    public async Task DeleteAsync_ByTag_RemovesOnlyTheTag()
    {
        var (digest, _) = await _store.PushImageAsync(App, "v1");

        Assert.True(await DeleteAsync(App, "v1"));

        Assert.Null(await GetAsync(App, "v1"));
        Assert.Equal(digest, (await GetAsync(App, digest.ToString()))?.Digest);
    }

    [Fact]
    public async Task DeleteAsync_Unknown_ReturnsFalse()
    {
        var (digest, _) = await _store.PushImageAsync(App, "v1");

        Assert.False(await DeleteAsync(App, "v2"));
        Assert.False(await DeleteAsync(App, Digest.Compute([0]).ToString()));
        Assert.False(await DeleteAsync(Other, digest.ToString()));
        Assert.True(await DeleteAsync(App, digest.ToString()));
        Assert.False(await DeleteAsync(App, digest.ToString()));
    }

    private Task<PushedManifest> PutAsync(RepositoryName name, string reference, byte[] content) =>
        _store.Manifests.PutAsync(name, Reference.Parse(reference), content, MediaTypes.OciManifest, CancellationToken.None);

    private Task<StoredManifest?> GetAsync(RepositoryName name, string reference) =>
        _store.Manifests.GetOrNullAsync(name, Reference.Parse(reference), CancellationToken.None);

    private Task<bool> DeleteAsync(RepositoryName name, string reference) =>
        _store.Manifests.DeleteAsync(name, Reference.Parse(reference), CancellationToken.None);

    /// <summary>An image manifest whose config and layer are already pushed to <paramref name="name"/>.</summary>
    private async Task<byte[]> ImageWithPushedBlobsAsync(RepositoryName name, Descriptor? subject = null)
    {
        var config = Encoding.UTF8.GetBytes("{\"os\":\"linux\"}");
        var layer = RandomNumberGenerator.GetBytes(32);
        await _store.PushBlobAsync(name, config);
        await _store.PushBlobAsync(name, layer);
        return TestManifests.Image(
            TestManifests.DescriptorOf(TestManifests.OciConfig, config),
            [TestManifests.DescriptorOf(TestManifests.OciLayer, layer)],
            subject: subject);
    }
}
