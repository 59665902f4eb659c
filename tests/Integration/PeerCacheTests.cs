using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NeonRegistry.Integration.Support;
using NeonRegistry.Proxy;

namespace NeonRegistry.Integration;

/// <summary>Cache nodes that are each other's PEERS: each blob crosses from the upstream once for the cluster.</summary>
public sealed class PeerCacheTests
{
    [Fact]
    public async Task ColdBlob_PulledThroughEveryNode_OneUpstreamGet_NonOwnersViaOwner()
    {
        await using var cluster = await CacheCluster.StartAsync();
        var blob = TestContent.RandomBytes(300 * 1024);
        var digest = await cluster.Upstream.Client.PushBlobAsync("app", blob);
        var owner = cluster.OwnerOf(digest);
        var others = Enumerable.Range(0, cluster.Count).Where(i => i != owner).ToList();
        var ownerName = cluster.Node(owner).Authority;

        var answers = new List<(int Node, string XCache)>();
        foreach (var node in others.Append(owner))
        {
            using var response = await cluster.Node(node).Client.GetAsync($"/v2/app/blobs/{digest}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(blob, await response.Content.ReadAsByteArrayAsync());
            answers.Add((node, response.Header("X-Cache")));
        }

        Assert.Equal(1, cluster.Proxy.Count("GET", $"/blobs/{digest}"));
        Assert.Equal($"MISS from {cluster.Node(others[0]).Authority} via {ownerName}", answers[0].XCache);
        Assert.Equal($"MISS from {cluster.Node(others[1]).Authority} via {ownerName}", answers[1].XCache);
        Assert.Equal($"HIT from {ownerName}", answers[2].XCache);
        foreach (var node in others)
        {
            Assert.True(File.Exists(cluster.BlobPath(node, digest)), $"node {node} keeps its own copy");
            Assert.Equal(blob.Length, cluster.Node(node).Services.GetRequiredService<PeerMetrics>().FetchedBytes);
        }
    }

    [Fact]
    public async Task ConcurrentColdPulls_OnEveryNode_OneUpstreamGet()
    {
        await using var cluster = await CacheCluster.StartAsync();
        var blob = TestContent.RandomBytes(512 * 1024);
        var digest = await cluster.Upstream.Client.PushBlobAsync("app", blob);
        // About 0.8 s for the blob: every node's clients ask while the owner's one download runs.
        cluster.Proxy.TrickleBytes = 32 * 1024;

        var pulls = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => cluster.Node(i % cluster.Count).Client.GetByteArrayAsync($"/v2/app/blobs/{digest}")));

        Assert.All(pulls, pulled => Assert.Equal(blob, pulled));
        Assert.Equal(1, cluster.Proxy.Count("GET", $"/blobs/{digest}"));
    }

    [Fact]
    public async Task OwnerDown_PullThroughAnotherNode_IsServed_ReadinessDegraded()
    {
        await using var cluster = await CacheCluster.StartAsync();
        var blob = TestContent.RandomBytes(200 * 1024);
        var digest = await cluster.Upstream.Client.PushBlobAsync("app", blob);
        var owner = cluster.OwnerOf(digest);
        var ownerName = cluster.Node(owner).Authority;
        var asker = (owner + 1) % cluster.Count;
        await cluster.StopAsync(owner);

        var pulled = await cluster.Node(asker).Client.GetByteArrayAsync($"/v2/app/blobs/{digest}");
        var (status, state, description) = await cluster.ReadinessAsync(cluster.Node(asker));

        Assert.Equal(blob, pulled);
        Assert.Equal(1, cluster.Proxy.Count("GET", $"/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", state);
        Assert.Contains($"{ownerName} down", description);
    }

    [Fact]
    public async Task OwnerStoppedMidDownload_AskerContinuesFromUpstream_ClientGetsWholeBlob()
    {
        await using var cluster = await CacheCluster.StartAsync();
        var blob = TestContent.RandomBytes(1024 * 1024);
        var digest = await cluster.Upstream.Client.PushBlobAsync("app", blob);
        var owner = cluster.OwnerOf(digest);
        var asker = (owner + 1) % cluster.Count;
        // About 1.6 s for the blob through the owner: time to stop it part way.
        cluster.Proxy.TrickleBytes = 32 * 1024;

        using var response = await cluster.Node(asker).Client.GetAsync($"/v2/app/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[64 * 1024];
        await body.ReadExactlyAsync(first);
        cluster.Proxy.TrickleBytes = null;
        await cluster.StopAsync(owner);
        using var rest = new MemoryStream();
        await body.CopyToAsync(rest);

        Assert.Equal(blob, first.Concat(rest.ToArray()).ToArray());
        Assert.Equal(2, cluster.Proxy.Count("GET", $"/blobs/{digest}"));
        Assert.True(File.Exists(cluster.BlobPath(asker, digest)), "the asker kept the verified blob");
    }

    [Fact]
    public async Task TagPulledThroughEveryNode_UpstreamAskedOnce_OwnerDownStillServed()
    {
        await using var cluster = await CacheCluster.StartAsync();
        var image = await cluster.Upstream.Client.PushImageAsync("app", "v1", layerCount: 1);
        var owner = cluster.OwnerOfTag("app", "v1");

        var answers = new List<string>();
        foreach (var node in Enumerable.Range(0, cluster.Count).Where(i => i != owner).Append(owner))
        {
            using var response = await cluster.Node(node).Client.GetAsync("/v2/app/manifests/v1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(image.Manifest, await response.Content.ReadAsByteArrayAsync());
            answers.Add(response.Header("X-Cache"));
        }

        Assert.Equal(1, cluster.Proxy.Count("GET", "/manifests/v1"));
        Assert.Equal(0, cluster.Proxy.Count("HEAD", "/manifests/v1"));
        var first = Enumerable.Range(0, cluster.Count).First(i => i != owner);
        Assert.Equal($"MISS from {cluster.Node(first).Authority} via {cluster.Node(owner).Authority}", answers[0]);
        Assert.Equal($"HIT from {cluster.Node(owner).Authority}", answers[^1]);

        // Another tag the same node owns, pulled once that node is gone.
        var tag = Enumerable.Range(2, 60).Select(i => $"v{i}").First(t => cluster.OwnerOfTag("app", t) == owner);
        var image2 = await cluster.Upstream.Client.PushImageAsync("app", tag, layerCount: 1);
        await cluster.StopAsync(owner);
        var asker = (owner + 1) % cluster.Count;
        await RegistryAudit.AssertManifestServedAsync(cluster.Node(asker).Client, "app", tag, image2.Manifest);
        Assert.Equal(1, cluster.Proxy.Count("GET", $"/manifests/{tag}"));
    }

    [Fact]
    public async Task UpstreamRateLimits_PeerPassesOn429_UpstreamAskedOnce_PeerStaysUp()
    {
        await using var cluster = await CacheCluster.StartAsync();
        var image = await cluster.Upstream.Client.PushImageAsync("app", "v1", layerCount: 1);
        var digest = TestContent.DigestOf(image.Layers[0]);
        var blobAsker = (cluster.OwnerOf(digest) + 1) % cluster.Count;
        var tagAsker = (cluster.OwnerOfTag("app", "v1") + 1) % cluster.Count;
        cluster.Proxy.FailWith = 429;

        using var blob = await cluster.Node(blobAsker).Client.GetAsync($"/v2/app/blobs/{digest}");
        using var manifest = await cluster.Node(tagAsker).Client.GetAsync("/v2/app/manifests/v1");

        foreach (var response in new[] { blob, manifest })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal("TOOMANYREQUESTS", await response.ErrorCodeAsync());
            Assert.Equal(TimeSpan.FromSeconds(17), response.Headers.RetryAfter!.Delta);
        }

        Assert.Equal(1, cluster.Proxy.Count("GET", $"/blobs/{digest}"));
        Assert.Equal(1, cluster.Proxy.Count("GET", "/manifests/v1"));
        foreach (var asker in new[] { blobAsker, tagAsker })
        {
            Assert.All(cluster.Node(asker).Services.GetRequiredService<PeerCluster>().Peers, peer => Assert.True(peer.IsUp, $"{peer.Name} down: {peer.DownReason}"));
        }
    }

    [Fact]
    public async Task PeerThatRedirects_IsNotFollowed_SignatureGoesNowhereElse_PullServedFromUpstream()
    {
        await using var stub = await RedirectingPeer.StartAsync();
        await using var cluster = await CacheCluster.StartAsync(count: 1, outsiders: [stub.BaseAddress]);
        var peers = cluster.Node(0).Services.GetRequiredService<PeerCluster>();
        // A blob the redirecting "node" owns, so the cache asks it first.
        byte[] blob;
        string digest;
        do
        {
            blob = TestContent.RandomBytes(10 * 1024);
            digest = await cluster.Upstream.Client.PushBlobAsync("app", blob);
        }
        while (!peers.RankedAbove(NeonRegistry.Oci.Digest.Parse(digest)).Any());

        using var response = await cluster.Node(0).Client.GetAsync($"/v2/app/blobs/{digest}");

        Assert.DoesNotContain(stub.ReceivedAtTarget, headers => headers.Contains(PeerSigner.HeaderName, StringComparer.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(blob, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, cluster.Proxy.Count("GET", $"/blobs/{digest}"));
    }

    [Fact]
    public async Task PeerStallsMidBlob_AskerContinuesFromUpstream_ClientGetsWholeBlob()
    {
        await using var stub = await StallingPeer.StartAsync();
        // The stall is noticed after PEER_TIMEOUT; without that, only the fill's idle timeout would end it, and fail it.
        await using var cluster = await CacheCluster.StartAsync(count: 1, new Dictionary<string, string?> { ["PEER_TIMEOUT"] = "1s", ["UPSTREAM_IDLE_TIMEOUT"] = "10s" }, outsiders: [stub.BaseAddress]);
        var peers = cluster.Node(0).Services.GetRequiredService<PeerCluster>();
        byte[] blob;
        do
        {
            blob = TestContent.RandomBytes(256 * 1024);
        }
        while (!peers.RankedAbove(NeonRegistry.Oci.Digest.Parse(TestContent.DigestOf(blob))).Any());
        stub.Blob = blob;
        var digest = await cluster.Upstream.Client.PushBlobAsync("app", blob);

        var pulled = await cluster.Node(0).Client.GetByteArrayAsync($"/v2/app/blobs/{digest}");

        Assert.Equal(1, stub.BlobsStarted);
        Assert.Equal(blob, pulled);
        Assert.Equal(1, cluster.Proxy.Count("GET", $"/blobs/{digest}"));
        Assert.True(File.Exists(cluster.BlobPath(0, digest)), "the asker kept the verified blob");
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("garbage")]
    [InlineData("other-secret")]
    [InlineData("expired")]
    [InlineData("other-path")]
    [InlineData("write")]
    public async Task PeerRequest_WithoutValidSignature_Refused403Denied(string forgery)
    {
        await using var cluster = await CacheCluster.StartAsync(count: 2);
        var digest = await cluster.Upstream.Client.PushBlobAsync("app", TestContent.RandomBytes(1000));
        var path = $"/v2/app/blobs/{digest}";
        var method = forgery == "write" ? HttpMethod.Delete : HttpMethod.Get;
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation(PeerSigner.HeaderName, forgery switch
        {
            "missing" => "",
            "garbage" => "node 1 not-a-signature",
            "other-secret" => Signer(new string('x', 40), TimeProvider.System).Sign(method.Method, path),
            "expired" => Signer(RegistryServer.TestSecret, new ShiftedClock(TimeSpan.FromMinutes(-5))).Sign(method.Method, path),
            "other-path" => Signer(RegistryServer.TestSecret, TimeProvider.System).Sign(method.Method, "/v2/other/blobs/" + digest),
            _ => Signer(RegistryServer.TestSecret, TimeProvider.System).Sign(method.Method, path),
        });
        cluster.Proxy.ResetCounts();

        using var response = await cluster.Node(0).Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("DENIED", await response.ErrorCodeAsync());
        Assert.Empty(cluster.Proxy.Requests);
    }

    [Fact]
    public async Task PeerRequest_ToCacheWithoutPeers_Refused403Denied()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var digest = await setup.Upstream.Client.PushBlobAsync("app", TestContent.RandomBytes(1000));
        var path = $"/v2/app/blobs/{digest}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation(PeerSigner.HeaderName, Signer(RegistryServer.TestSecret, TimeProvider.System).Sign("GET", path));
        setup.Proxy.ResetCounts();

        using var response = await setup.Cache.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("DENIED", await response.ErrorCodeAsync());
        Assert.Empty(setup.Proxy.Requests);
    }

    [Fact]
    public async Task SignedPeerRequest_ToNonOwner_IsNotForwarded_GoesToUpstreamOnly()
    {
        await using var cluster = await CacheCluster.StartAsync();
        var blob = TestContent.RandomBytes(100 * 1024);
        var digest = await cluster.Upstream.Client.PushBlobAsync("app", blob);
        var owner = cluster.OwnerOf(digest);
        var asked = (owner + 1) % cluster.Count;
        var path = $"/v2/app/blobs/{digest}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation(PeerSigner.HeaderName, Signer(RegistryServer.TestSecret, TimeProvider.System).Sign("GET", path));

        using var response = await cluster.Node(asked).Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(blob, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"MISS from {cluster.Node(asked).Authority}", response.Header("X-Cache"));
        Assert.Equal(1, cluster.Proxy.Count("GET", $"/blobs/{digest}"));
        Assert.False(File.Exists(cluster.BlobPath(owner, digest)), "the owner was not asked");
        Assert.Equal(0, cluster.Node(asked).Services.GetRequiredService<PeerMetrics>().FetchedBytes);
    }

    private static PeerSigner Signer(string secret, TimeProvider clock) =>
        new(new Configuration.PeerOptions { Nodes = [new Uri("http://127.0.0.1:9/")], Self = 0, Secret = secret }, "test", clock);

    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}
