using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Tests.Storage;

public sealed class StorageLayoutTests
{
    private const string Sha256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string Sha512Hex = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

    // The layout only computes paths, so the root need not exist.
    private readonly StorageLayout _layout = new(Path.Combine(Path.GetTempPath(), "neon-registry-layout", "root"));

    [Fact]
    public void Blob_Sha256_ShardsByFirstTwoHexDigits()
    {
        var path = _layout.Blob(Digest.Parse("sha256:" + Sha256Hex));

        Assert.Equal(Path.Combine(_layout.Root, "blobs", "sha256", "e3", Sha256Hex), path);
    }

    [Fact]
    public void BlobDigestOrNull_BlobPath_IsItsDigest()
    {
        var digest = Digest.Parse("sha512:" + Sha512Hex);

        Assert.Equal(digest, _layout.BlobDigestOrNull(_layout.Blob(digest)));
    }

    [Theory]
    [InlineData("sha256", "e3", ".tmp-0123")]
    [InlineData("sha256", "00", Sha256Hex)]
    [InlineData("md5", "e3", Sha256Hex)]
    public void BlobDigestOrNull_FileTheLayoutWouldNotPutThere_IsNull(string algorithm, string shard, string name)
    {
        Assert.Null(_layout.BlobDigestOrNull(Path.Combine(_layout.BlobsRoot, algorithm, shard, name)));
    }

    [Fact]
    public void Repository_NestedName_NestsDirectories()
    {
        var path = _layout.Repository(RepositoryName.Parse("library/ubuntu"));

        Assert.Equal(Path.Combine(_layout.Root, "repositories", "library", "ubuntu"), path);
    }

    [Fact]
    public void TagLink_Tag_LivesUnderTheRepositoryTags()
    {
        var path = _layout.TagLink(RepositoryName.Parse("app"), "v1.0");

        Assert.Equal(Path.Combine(_layout.Root, "repositories", "app", "_manifests", "tags", "v1.0"), path);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("library/ubuntu")]
    [InlineData("a.b_c__d-e--f/g")]
    public void EveryPath_GrammaticalInput_StaysUnderRoot(string repository)
    {
        var name = RepositoryName.Parse(repository);
        var sha256 = Digest.Parse("sha256:" + Sha256Hex);
        var sha512 = Digest.Parse("sha512:" + Sha512Hex);
        var uploadId = Guid.NewGuid().ToString("N");
        string[] paths =
        [
            _layout.BlobsRoot, _layout.RepositoriesRoot, _layout.UploadsRoot,
            _layout.Blob(sha256), _layout.Blob(sha512),
            _layout.Repository(name), _layout.LayerLink(name, sha256), _layout.LayerLink(name, sha512),
            _layout.ManifestsDirectory(name), _layout.ManifestRevision(name, sha256), _layout.ManifestRevision(name, sha512),
            _layout.TagsDirectory(name), _layout.TagLink(name, "latest"), _layout.TagLink(name, "_x"),
            _layout.ReferrersDirectory(name, sha256), _layout.ReferrerLink(name, sha256, sha512),
            _layout.Upload(uploadId), _layout.UploadData(uploadId),
        ];

        Assert.All(paths, path =>
        {
            Assert.StartsWith(_layout.Root + Path.DirectorySeparatorChar, path, StringComparison.Ordinal);
            Assert.Equal(path, Path.GetFullPath(path));
        });
        Assert.Equal(paths.Length, paths.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../../etc")]
    [InlineData("a/b")]
    [InlineData("/etc/passwd")]
    [InlineData(".tmp-0123")]
    [InlineData("latest\n")]
    public void TagLink_InvalidTag_Throws(string tag)
    {
        Assert.Throws<ArgumentException>(() => _layout.TagLink(RepositoryName.Parse("app"), tag));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("../0123456789abcdef0123456789abcd")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    [InlineData("01234567-89ab-cdef-0123-456789abcdef")]
    [InlineData("0123456789abcdef0123456789abcdeg")]
    public void Upload_InvalidId_Throws(string uploadId)
    {
        Assert.Throws<ArgumentException>(() => _layout.Upload(uploadId));
        Assert.Throws<ArgumentException>(() => _layout.UploadData(uploadId));
        Assert.False(StorageLayout.IsUploadId(uploadId));
    }

    [Fact]
    public void Upload_GuidId_IsAccepted()
    {
        var id = Guid.NewGuid().ToString("N");

        Assert.True(StorageLayout.IsUploadId(id));
        Assert.Equal(Path.Combine(_layout.UploadsRoot, id, "data"), _layout.UploadData(id));
    }

    [Fact]
    public void Root_RelativeWithTrailingSeparator_IsMadeAbsoluteAndConfines()
    {
        var layout = new StorageLayout("relative-store" + Path.DirectorySeparatorChar);

        Assert.True(Path.IsPathFullyQualified(layout.Root));
        Assert.StartsWith(
            Path.GetFullPath("relative-store") + Path.DirectorySeparatorChar,
            layout.Blob(Digest.Parse("sha256:" + Sha256Hex)),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".tmp-abc", true)]
    [InlineData(".hidden", true)]
    [InlineData("latest", false)]
    [InlineData("_manifests", false)]
    public void IsHidden_Name_TrueOnlyForDotNames(string name, bool hidden)
    {
        Assert.Equal(hidden, StorageLayout.IsHidden(name));
    }

    [Fact]
    public void ReadinessProbe_EachId_IsAHiddenFileDirectlyUnderRoot()
    {
        var first = _layout.ReadinessProbe(Guid.NewGuid());
        var second = _layout.ReadinessProbe(Guid.NewGuid());

        Assert.Equal(_layout.Root, Path.GetDirectoryName(first));
        Assert.True(StorageLayout.IsHidden(Path.GetFileName(first)));
        Assert.StartsWith(".readyz-", Path.GetFileName(first), StringComparison.Ordinal);
        Assert.NotEqual(first, second);
    }
}
