using NeonRegistry.Oci;

namespace NeonRegistry.Tests.Oci;

/// <summary>The name grammar of distribution-spec "Pulling manifests", and the 255-character bound.</summary>
public sealed class RepositoryNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("library/ubuntu")]
    [InlineData("a.b_c__d-e--f/g")]
    [InlineData("a---b")]
    [InlineData("registry.example/team/app")]
    [InlineData("a/b/c/d/e/f")]
    public void Parse_GrammaticalName_ReturnsIt(string value)
    {
        var name = RepositoryName.Parse(value);

        Assert.Equal(value, name.Value);
        Assert.Equal(value, name.ToString());
        Assert.True(RepositoryName.TryParse(value, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/..")]
    [InlineData("../a")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("A")]
    [InlineData("Library/ubuntu")]
    [InlineData("a//b")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData("/")]
    [InlineData("_a")]
    [InlineData("a_")]
    [InlineData("a/_layers")]
    [InlineData("a___b")]
    [InlineData("a..b")]
    [InlineData("a.-b")]
    [InlineData("-a")]
    [InlineData("a\\b")]
    [InlineData("a%2fb")]
    [InlineData("a b")]
    [InlineData("a:b")]
    [InlineData("a@b")]
    [InlineData("a\0")]
    [InlineData("a\0b")]
    [InlineData("a\n")]
    [InlineData("library/ubuntu\n")]
    [InlineData("\na")]
    [InlineData("ä")]
    public void Parse_OutsideGrammar_ThrowsNameInvalid(string value)
    {
        var error = Assert.Throws<RegistryException>(() => RepositoryName.Parse(value));

        Assert.Equal(OciErrorCode.NameInvalid, error.Code);
        Assert.False(RepositoryName.TryParse(value, out _));
    }

    [Fact]
    public void Parse_Null_ThrowsNameInvalid()
    {
        var error = Assert.Throws<RegistryException>(() => RepositoryName.Parse(null));

        Assert.Equal(OciErrorCode.NameInvalid, error.Code);
    }

    [Fact]
    public void Parse_NameOfMaxLength_Accepted()
    {
        var value = NameOfLength(RepositoryName.MaxLength);

        Assert.Equal(value, RepositoryName.Parse(value).Value);
    }

    [Theory]
    [InlineData(RepositoryName.MaxLength + 1)]
    [InlineData(4096)]
    public void Parse_NameOverMaxLength_ThrowsNameInvalid(int length)
    {
        // Grammatical apart from its length, so only the bound can refuse it.
        var value = NameOfLength(length);

        var error = Assert.Throws<RegistryException>(() => RepositoryName.Parse(value));

        Assert.Equal(OciErrorCode.NameInvalid, error.Code);
    }

    [Fact]
    public void Equality_SameValue_Equal()
    {
        Assert.Equal(RepositoryName.Parse("library/ubuntu"), RepositoryName.Parse("library/ubuntu"));
        Assert.NotEqual(RepositoryName.Parse("library/ubuntu"), RepositoryName.Parse("library/debian"));
    }

    private static string NameOfLength(int length)
    {
        // "abcdefgh/abcdefgh/..." cut to length, never ending on the separator.
        var value = string.Concat(Enumerable.Repeat("abcdefgh/", (length / 9) + 1))[..length];
        return value.EndsWith('/') ? value[..^1] + "z" : value;
    }
}
