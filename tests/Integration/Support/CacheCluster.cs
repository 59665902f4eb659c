using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeonRegistry.Oci;
using NeonRegistry.Proxy;
using NeonRegistry.Storage;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// Cache nodes that are each other's PEERS, over one upstream (our primary, in another process) behind a counting
/// proxy: a cluster's caches on loopback. Each node's HOST is its host:port, as nodes sharing a host name themselves.
/// </summary>
public sealed class CacheCluster : IAsyncDisposable
{
    private readonly RegistryServer?[] _nodes;

    private CacheCluster(RegistryProcess upstream, UpstreamProxy proxy, RegistryServer?[] nodes)
    {
        Upstream = upstream;
        Proxy = proxy;
        _nodes = nodes;
    }

    public RegistryProcess Upstream { get; }

    /// <summary>Counts every request that reaches the upstream; peers talk to each other directly.</summary>
    public UpstreamProxy Proxy { get; }

    public int Count => _nodes.Length;

    public RegistryServer Node(int index) => _nodes[index] ?? throw new InvalidOperationException($"node {index} was stopped");

    /// <param name="outsiders">More PEERS entries, after the nodes': servers the test runs itself, posing as nodes.</param>
    public static async Task<CacheCluster> StartAsync(int count = 3, IReadOnlyDictionary<string, string?>? settings = null, IReadOnlyList<Uri>? outsiders = null)
    {
        var upstream = await RegistryProcess.StartAsync();
        var proxy = await UpstreamProxy.StartAsync(upstream.BaseAddress);
        // PEERS names every node before any starts, so each port is chosen first (the OS's pick, then released).
        var ports = FreePorts(count);
        var peers = string.Join(",", ports.Select(port => $"http://127.0.0.1:{port}").Concat((outsiders ?? []).Select(url => url.GetLeftPart(UriPartial.Authority))));
        var nodes = await Task.WhenAll(ports.Select(port =>
        {
            var node = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
            {
                ["urls"] = $"http://127.0.0.1:{port}",
                ["HOST"] = $"127.0.0.1:{port}",
                ["PEERS"] = peers,
                ["SECRET"] = RegistryServer.TestSecret,
            };
            return RegistryServer.StartCacheAsync(proxy.BaseAddress, RegistryServer.Username, RegistryServer.Password, node);
        }));
        var cluster = new CacheCluster(upstream, proxy, nodes);
        foreach (var node in nodes)
        {
            await cluster.ReadinessAsync(node);
        }

        return cluster;
    }

    /// <summary>The node that owns <paramref name="digest"/>: the one that ranks no live peer above itself.</summary>
    public int OwnerOf(string digest) =>
        Enumerable.Range(0, Count).Single(i => _nodes[i] is { } node && !node.Services.GetRequiredService<PeerCluster>().RankedAbove(Digest.Parse(digest)).Any());

    /// <summary>The node that owns the tag <paramref name="repository"/>:<paramref name="tag"/>.</summary>
    public int OwnerOfTag(string repository, string tag) =>
        Enumerable.Range(0, Count).Single(i => _nodes[i] is { } node && !node.Services.GetRequiredService<PeerCluster>().RankedAbove($"{repository}:{tag}").Any());

    /// <summary>Where a node keeps a blob once it holds it.</summary>
    public string BlobPath(int index, string digest) => Node(index).Services.GetRequiredService<StorageLayout>().Blob(Digest.Parse(digest));

    public async Task StopAsync(int index)
    {
        await Node(index).DisposeAsync();
        _nodes[index] = null;
    }

    /// <summary>The node's <c>/readyz</c> check "peers", once it has probed every peer.</summary>
    public async Task<(HttpStatusCode Status, string PeersState, string PeersDescription)> ReadinessAsync(RegistryServer node)
    {
        using var response = await node.Client.GetAsync("/readyz");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var peers = json.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "peers");
        return (response.StatusCode, peers.GetProperty("status").GetString()!, peers.GetProperty("description").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        await Proxy.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    /// <summary>Distinct ports: every listener is held until all are chosen, so the OS cannot hand one out twice.</summary>
    private static List<int> FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(listener => listener.Start());
            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(listener => listener.Stop());
        }
    }
}
