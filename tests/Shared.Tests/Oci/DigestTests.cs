using System.Security.Cryptography;
using System.Text;
using NeonRegistry.Oci;

namespace NeonRegistry.Tests.Oci;

public sealed class DigestTests
{
    // The digests of the empty string, so expected values can be checked against any sha tool.
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string EmptySha512 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

    [Fact]
    public void Parse_Sha256_ReturnsAlgorithmAndHex()
    {
        var digest = Digest.Parse("sha256:" + EmptySha256);

        Assert.Equal("sha256", digest.Algorithm);
        Assert.Equal(EmptySha256, digest.Hex);
        Assert.Equal(HashAlgorithmName.SHA256, digest.HashAlgorithm);
        Assert.Equal("sha256:" + EmptySha256, digest.ToString());
    }

    [Fact]
    public void Parse_Sha512_ReturnsAlgorithmAndHex()
    {
        var digest = Digest.Parse("sha512:" + EmptySha512);

        Assert.Equal("sha512", digest.Algorithm);
        Assert.Equal(EmptySha512, digest.Hex);
        Assert.Equal(HashAlgorithmName.SHA512, digest.HashAlgorithm);
        Assert.Equal("sha512:" + EmptySha512, digest.ToString());
    }

    [Theory]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("sha256:E3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("SHA256:" + EmptySha256)]
    [InlineData("sha256:" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("sha256:" + EmptySha256 + "0")]
    [InlineData("sha512:" + EmptySha256)]
    [InlineData("sha256:" + EmptySha512)]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha384:" + EmptySha256)]
    [InlineData("sha256" + EmptySha256)]
    [InlineData(EmptySha256)]
    [InlineData("sha256:")]
    [InlineData(":" + EmptySha256)]
    [InlineData("")]
    [InlineData(" sha256:" + EmptySha256)]
    [InlineData("sha256:" + EmptySha256 + "\n")]
    [InlineData("sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256:../../../../../../../../../../../../../../../../../../../etc/pa")]
    public void Parse_Malformed_ThrowsDigestInvalid(string value)
    {
        var error = Assert.Throws<RegistryException>(() => Digest.Parse(value));

        Assert.Equal(OciErrorCode.DigestInvalid, error.Code);
        Assert.False(Digest.TryParse(value, out _));
    }

    [Fact]
    public void Parse_Null_ThrowsDigestInvalid()
    {
        var error = Assert.Throws<RegistryException>(() => Digest.Parse(null));

        Assert.Equal(OciErrorCode.DigestInvalid, error.Code);
    }

    [Fact]
    public void Compute_Content_MatchesSha256OfBytes()
    {
        var content = Encoding.UTF8.GetBytes("hello registry");

        var digest = Digest.Compute(content);

        Assert.Equal(Digest.Sha256, digest.Algorithm);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), digest.Hex);
        Assert.Equal("sha256:" + EmptySha256, Digest.Compute([]).ToString());
    }

    [Fact]
    public void FromHash_Sha512_RoundTripsThroughParse()
    {
        var digest = Digest.FromHash(Digest.Sha512, SHA512.HashData(Array.Empty<byte>()));

        Assert.Equal("sha512:" + EmptySha512, digest.ToString());
        Assert.Equal(digest, Digest.Parse(digest.ToString()));
    }

    [Fact]
    public void Equality_SameValue_EqualAcrossParses()
    {
        var first = Digest.Parse("sha256:" + EmptySha256);
        var second = Digest.Parse("sha256:" + EmptySha256);

        Assert.Equal(first, second);
        Assert.NotEqual(first, Digest.Compute([1]));
    }
}
