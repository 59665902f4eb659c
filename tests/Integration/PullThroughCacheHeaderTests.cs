using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>Every response of a cache says which node answered and how, errors and listings included.</summary>
public sealed class PullThroughCacheHeaderTests
{
    private const string Node = "manager-1.neon-registry-cache.cluster";

    [Fact]
    public async Task EveryResponse_CarriesXCache()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var image = await setup.Upstream.Client.PushImageAsync("app", "v1");
        await PullThroughTests.PullAsync(setup.Cache.Client, "app", "v1");

        using var root = await setup.Cache.Client.GetAsync("/v2/");
        using var catalog = await setup.Cache.Client.GetAsync("/v2/_catalog");
        using var tags = await setup.Cache.Client.GetAsync("/v2/app/tags/list");
        using var unknown = await setup.Cache.Client.GetAsync("/v2/app/manifests/no-such-tag");
        using var push = await setup.Cache.Client.PutManifestAsync("app", "v2", TestContent.OciManifest, image.Manifest);
        setup.Proxy.FailWith = 503;
        using var down = await setup.Cache.Client.GetAsync("/v2/other/manifests/v1");
        using var staleTags = await setup.Cache.Client.GetAsync("/v2/app/tags/list");

        Assert.Equal((HttpStatusCode.OK, $"HIT from {Node}"), (root.StatusCode, root.Header("X-Cache")));
        Assert.Equal((HttpStatusCode.OK, $"HIT from {Node}"), (catalog.StatusCode, catalog.Header("X-Cache")));
        Assert.Equal((HttpStatusCode.OK, $"MISS from {Node}"), (tags.StatusCode, tags.Header("X-Cache")));
        Assert.Equal((HttpStatusCode.NotFound, $"MISS from {Node}"), (unknown.StatusCode, unknown.Header("X-Cache")));
        Assert.Equal((HttpStatusCode.MethodNotAllowed, $"MISS from {Node}"), (push.StatusCode, push.Header("X-Cache")));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, $"MISS from {Node}"), (down.StatusCode, down.Header("X-Cache")));
        Assert.Equal((HttpStatusCode.OK, $"STALE from {Node}"), (staleTags.StatusCode, staleTags.Header("X-Cache")));
    }

    [Fact]
    public async Task Primary_CarriesNoXCache()
    {
        await using var server = await RegistryServer.StartAsync();
        await server.Client.PushImageAsync("app", "v1");

        using var tags = await server.Client.GetAsync("/v2/app/tags/list");
        using var unknown = await server.Client.GetAsync("/v2/app/manifests/no-such-tag");

        Assert.False(tags.Headers.Contains("X-Cache"));
        Assert.False(unknown.Headers.Contains("X-Cache"));
    }
}
