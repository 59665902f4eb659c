using NeonRegistry.Oci;

namespace NeonRegistry.Tests.Oci;

public sealed class ReferenceTests
{
    private const string Sha256Value = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Fact]
    public void Parse_Tag_HoldsTagOnly()
    {
        var reference = Reference.Parse("v1.0");

        Assert.Equal("v1.0", reference.Tag);
        Assert.Null(reference.Digest);
        Assert.Equal("v1.0", reference.ToString());
    }

    [Fact]
    public void Parse_Digest_HoldsDigestOnly()
    {
        var reference = Reference.Parse(Sha256Value);

        Assert.Null(reference.Tag);
        Assert.Equal(Digest.Parse(Sha256Value), reference.Digest);
        Assert.Equal(Sha256Value, reference.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-latest")]
    [InlineData(".latest")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("latest\n")]
    public void Parse_InvalidTag_ThrowsTagInvalid(string value)
    {
        var error = Assert.Throws<RegistryException>(() => Reference.Parse(value));

        Assert.Equal(OciErrorCode.TagInvalid, error.Code);
    }

    [Fact]
    public void Parse_TagOver128Characters_ThrowsTagInvalid()
    {
        var error = Assert.Throws<RegistryException>(() => Reference.Parse(new string('t', 129)));

        Assert.Equal(OciErrorCode.TagInvalid, error.Code);
    }

    [Theory]
    [InlineData("latest:1")]
    [InlineData("sha256:abc")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public void Parse_ColonButNoDigest_ThrowsDigestInvalid(string value)
    {
        var error = Assert.Throws<RegistryException>(() => Reference.Parse(value));

        Assert.Equal(OciErrorCode.DigestInvalid, error.Code);
    }
}
