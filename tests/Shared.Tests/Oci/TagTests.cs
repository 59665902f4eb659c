using NeonRegistry.Oci;

namespace NeonRegistry.Tests.Oci;

/// <summary>The tag grammar of distribution-spec "Pulling manifests": <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>.</summary>
public sealed class TagTests
{
    [Theory]
    [InlineData("latest")]
    [InlineData("v1.2.3")]
    [InlineData("V1")]
    [InlineData("0")]
    [InlineData("_")]
    [InlineData("_private")]
    [InlineData("a-b_c.d")]
    [InlineData("sha256-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public void IsValid_GrammaticalTag_True(string value)
    {
        Assert.True(Tag.IsValid(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("-x")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a:b")]
    [InlineData("a b")]
    [InlineData("a@b")]
    [InlineData("a+b")]
    [InlineData("é")]
    [InlineData("a\0")]
    [InlineData("latest\n")]
    [InlineData("\nlatest")]
    [InlineData(null)]
    public void IsValid_OutsideGrammar_False(string? value)
    {
        Assert.False(Tag.IsValid(value));
    }

    [Fact]
    public void IsValid_128Characters_True()
    {
        Assert.True(Tag.IsValid(new string('a', 128)));
    }

    [Fact]
    public void IsValid_129Characters_False()
    {
        Assert.False(Tag.IsValid(new string('a', 129)));
    }
}
