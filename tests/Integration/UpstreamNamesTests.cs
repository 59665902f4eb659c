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
        var options = new UpstreamOptions { RemoteUrl = new Uri(remote) };

        Assert.Equal(expected, UpstreamNames.Of(RepositoryName.Parse(name), options));
    }

    [Theory]
    [InlineData("https://registry-1.docker.io", "docker.io")]
    [InlineData("http://127.0.0.1:5000", "127.0.0.1:5000")]
    public void Namespace_IsWhatContainerdSendsAsNs(string remote, string expected)
    {
        Assert.Equal(expected, new UpstreamOptions { RemoteUrl = new Uri(remote) }.Namespace);
    }
}
