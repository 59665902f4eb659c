using Microsoft.Extensions.Caching.Memory;
using NeonRegistry.Configuration;
using NeonRegistry.Metrics;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// One upstream registry as this cache uses it: its settings, its client (login, breaker, timeouts) and the
/// check of its login, made together so that a cache can hold several, each with its own of each.
/// </summary>
internal sealed class Upstream : IDisposable
{
    public Upstream(UpstreamOptions options, IMemoryCache tokens, CacheMetrics metrics, TimeProvider clock, ILoggerFactory loggers)
    {
        Options = options;
        Client = new UpstreamClient(options, new UpstreamAuthenticator(options, tokens, loggers.CreateLogger<UpstreamAuthenticator>()), metrics, clock);
        Access = new UpstreamAccessCheck(Client, options, clock);
    }

    public UpstreamOptions Options { get; }

    public UpstreamClient Client { get; }

    public UpstreamAccessCheck Access { get; }

    /// <summary>The repository <paramref name="name"/> at this upstream.</summary>
    public UpstreamRepository Repository(RepositoryName name) => new(Client, name);

    public void Dispose() => Client.Dispose();
}
