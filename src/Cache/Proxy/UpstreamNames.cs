using NeonRegistry.Configuration;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>The name a repository has upstream: Docker Hub keeps its official images under library/.</summary>
internal static class UpstreamNames
{
    public static string Of(RepositoryName name, UpstreamOptions options) =>
        options.IsDockerHub && !name.Value.Contains('/') ? "library/" + name.Value : name.Value;
}
