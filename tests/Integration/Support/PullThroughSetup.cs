namespace NeonRegistry.Integration.Support;

/// <summary>
/// A primary registry with a login as the upstream (our own, in another process), a counting proxy in front of
/// it, and a cache pointed at the proxy: the whole path a pull through a cache node takes, on loopback.
/// </summary>
public sealed class PullThroughSetup : IAsyncDisposable
{
    private PullThroughSetup(RegistryProcess upstream, UpstreamProxy proxy, RegistryServer cache)
    {
        Upstream = upstream;
        Proxy = proxy;
        Cache = cache;
    }

    public RegistryProcess Upstream { get; }

    public UpstreamProxy Proxy { get; }

    public RegistryServer Cache { get; }

    public static async Task<PullThroughSetup> StartAsync(IReadOnlyDictionary<string, string?>? cacheSettings = null)
    {
        var upstream = await RegistryProcess.StartAsync();
        var proxy = await UpstreamProxy.StartAsync(upstream.BaseAddress);
        var cache = await RegistryServer.StartCacheAsync(proxy.BaseAddress, RegistryServer.Username, RegistryServer.Password, cacheSettings);
        return new PullThroughSetup(upstream, proxy, cache);
    }

    public async ValueTask DisposeAsync()
    {
        await Cache.DisposeAsync();
        await Proxy.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
