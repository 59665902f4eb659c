using NeonRegistry.Configuration;
using NeonRegistry.Oci;
using NeonRegistry.Proxy;

namespace NeonRegistry.Integration;

public sealed class UpstreamNamesTests
{
    [Theory]
    [InlineData("https://registry-1.docker.io", "alpine", "library/alpine")]
    [InlineData("https://registry-1.docker.io", "bitnami/redis", "bitnami/redis")]
    [InlineData("https://ghcr.io", "alpine", "alpine")]
    public void Of_DockerHubOneComponentName_GetsLibraryPrefix(string remote, string name, string expected)
    {
        var options = new UpstreamOptions { Name = "test", RemoteUrl = new Uri(remote) };

        Assert.Equal(expected, options.RemoteNameOf(RepositoryName.Parse(name)));
    }

    [Theory]
    [InlineData("https://registry-1.docker.io", "docker.io")]
    [InlineData("http://127.0.0.1:5000", "127.0.0.1:5000")]
    public void NameOf_RemoteUrl_IsWhatContainerdSendsAsNs(string remote, string expected)
    {
        Assert.Equal(expected, UpstreamOptions.NameOf(new Uri(remote)));
    }

    [Theory]
    [InlineData("https://registry-1.docker.io", "https://auth.docker.io/token", true)]
    [InlineData("https://registry-1.docker.io", "http://auth.docker.io/token", false)]
    [InlineData("https://registry-1.docker.io", "https://evil.docker.io/token", false)]
    [InlineData("https://registry-1.docker.io", "https://auth.docker.io.evil.example/token", false)]
    [InlineData("https://registry.gitlab.com", "https://gitlab.com/jwt/auth", true)]
    [InlineData("https://example.co.uk", "https://evil.co.uk/token", false)]
    [InlineData("https://registry.example.co.uk", "https://auth.example.co.uk/token", false)]
    [InlineData("https://myreg.azurecr.io", "https://other.azurecr.io/oauth2/token", false)]
    [InlineData("https://quay.io", "https://quay.io/v2/auth", true)]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5001/token", true)]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.2:5001/token", false)]
    [InlineData("http://registry:5000", "http://tokens.internal/token", true)]
    public void TokenRealm_TrustedOnlyOnTheUpstreamsHostItsKnownTokenServiceOrWhenListed(string remote, string realm, bool trusted)
    {
        var options = new UpstreamOptions { Name = "test", RemoteUrl = new Uri(remote), TrustedTokenHosts = ["tokens.internal"] };

        Assert.Equal(trusted, TokenRealmTrust.IsTrusted(new Uri(realm), options));
    }
}
