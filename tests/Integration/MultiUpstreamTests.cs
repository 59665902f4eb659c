using System.Net;
using System.Text.Json;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>One cache, two upstreams from an upstreams file (our primary and the reference registry, each with its own login).</summary>
public sealed class MultiUpstreamTests
{
    private const string Primary = MultiUpstreamSetup.PrimaryName;
    private const string Reference = MultiUpstreamSetup.ReferenceName;

    [Fact]
    public async Task Skopeo_PathForm_PullsEachUpstreamsImage_UnderTheSameRepositoryName()
    {
        await using var setup = await MultiUpstreamSetup.StartAsync();
        var fromPrimary = await setup.Primary.Client.PushImageAsync("team/app", "v1");
        var fromReference = await setup.Reference.Client.PushImageAsync("team/app", "v1");
        var cache = await setup.StartCacheAsync();
        var primaryDir = TempDirectory.Create("pulled");
        var referenceDir = TempDirectory.Create("pulled");
        try
        {
            await Skopeo.CopyAsync($"docker://{cache.Authority}/{Primary}/team/app:v1", $"dir:{primaryDir}");
            await Skopeo.CopyAsync($"docker://{cache.Authority}/{Reference}/team/app:v1", $"dir:{referenceDir}");

            Assert.Equal(fromPrimary.Manifest, await File.ReadAllBytesAsync(Path.Combine(primaryDir, "manifest.json")));
            Assert.Equal(fromReference.Manifest, await File.ReadAllBytesAsync(Path.Combine(referenceDir, "manifest.json")));
        }
        finally
        {
            TempDirectory.Delete(primaryDir);
            TempDirectory.Delete(referenceDir);
        }

        // Stored apart, each under its upstream's name.
        using var catalog = JsonDocument.Parse(await cache.Client.GetStringAsync("/v2/_catalog"));
        Assert.Equal(
            [$"{Primary}/team/app", $"{Reference}/team/app"],
            catalog.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()).Order());
    }

    [Fact]
    public async Task NsQuery_NamesTheUpstream_AndTheStoredNameNamesItAgain()
    {
        await using var setup = await MultiUpstreamSetup.StartAsync();
        var fromPrimary = await setup.Primary.Client.PushImageAsync("team/app", "v1");
        var fromReference = await setup.Reference.Client.PushImageAsync("team/app", "v1");
        var cache = await setup.StartCacheAsync();
        var accept = "application/vnd.oci.image.manifest.v1+json";

        using var primary = await GetAsync(cache.Client, $"/v2/team/app/manifests/v1?ns={Primary}", accept);
        using var reference = await GetAsync(cache.Client, $"/v2/team/app/manifests/v1?ns={Reference}", accept);
        // What another cache node forwarding the stored name would ask: a hit, from the same upstream.
        using var stored = await GetAsync(cache.Client, $"/v2/{Reference}/team/app/manifests/{fromReference.Digest}", accept);
        using var layer = await GetAsync(cache.Client, $"/v2/team/app/blobs/{TestContent.DigestOf(fromPrimary.Layers[0])}?ns={Primary}", null);

        Assert.Equal(fromPrimary.Manifest, await primary.Content.ReadAsByteArrayAsync());
        Assert.Equal(fromReference.Manifest, await reference.Content.ReadAsByteArrayAsync());
        Assert.Equal(fromReference.Manifest, await stored.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("HIT", stored.Headers.GetValues("X-Cache").Single());
        Assert.Equal(fromPrimary.Layers[0], await layer.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/v2/team/app/manifests/v1?ns=quay.io", "this cache mirrors primary.test, reference.test, not quay.io")]
    [InlineData("/v2/team/app/manifests/v1", "'team/app' names no upstream of this cache")]
    [InlineData("/v2/?ns=quay.io", "not quay.io")]
    public async Task NameNoUpstreamServes_Returns404NameUnknown(string path, string message)
    {
        await using var setup = await MultiUpstreamSetup.StartAsync();
        var cache = await setup.StartCacheAsync();

        using var response = await cache.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("NAME_UNKNOWN", body);
        Assert.Contains(message, body);
    }

    [Fact]
    public async Task OneUpstreamDown_TheOtherServes_AndReadinessListsEach()
    {
        await using var setup = await MultiUpstreamSetup.StartAsync();
        var fromPrimary = await setup.Primary.Client.PushImageAsync("team/app", "v1");
        await setup.Reference.Client.PushImageAsync("team/app", "v1");
        var cache = await setup.StartCacheAsync();
        await setup.Reference.DisposeAsync();

        using var primary = await cache.Client.GetAsync($"/v2/{Primary}/team/app/blobs/{TestContent.DigestOf(fromPrimary.Layers[1])}");
        using var reference = await cache.Client.GetAsync($"/v2/{Reference}/team/app/manifests/v1");
        using var ready = await cache.Client.GetAsync("/readyz");
        using var readiness = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        var checks = readiness.RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => (Status: c.GetProperty("status").GetString(), Description: c.GetProperty("description").GetString()));
        var metrics = new PrometheusText(await cache.Client.GetStringAsync("/metrics"));

        Assert.Equal(fromPrimary.Layers[1], await primary.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, reference.StatusCode);
        Assert.Contains(setup.Reference.BaseAddress.Authority, await reference.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("healthy", checks[$"upstream {Primary}"].Status);
        Assert.Equal("degraded", checks[$"upstream {Reference}"].Status);
        Assert.Contains("unreachable", checks[$"upstream {Reference}"].Description);
        Assert.Equal(1, metrics.Value("neon_registry_cache_answers_total", ("kind", "blob"), ("outcome", "miss"), ("upstream", Primary)));
        Assert.True(metrics.Value("neon_registry_cache_upstream_errors_total", ("upstream", Reference), ("reason", "unreachable")) >= 1);
        Assert.Null(metrics.Value("neon_registry_cache_upstream_errors_total", ("upstream", Primary), ("reason", "unreachable")));
        Assert.Equal(0, metrics.Value("neon_registry_cache_upstream_breaker_open", ("upstream", Primary)));
    }

    [Fact]
    public async Task WrongPasswordFile_OnlyThatUpstreamIsRefused_AndReadinessNamesItsEntry()
    {
        await using var setup = await MultiUpstreamSetup.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(setup.Directory, "reference.password"), "wrong\n");
        var cache = await setup.StartCacheAsync();

        using var ready = await cache.Client.GetAsync("/readyz");
        var body = await ready.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains($"upstream {setup.Reference.BaseAddress.Authority} refuses the user/password_file of {Reference} in UPSTREAMS_FILE", body);
        Assert.DoesNotContain($"upstream {setup.Primary.Authority} refuses", body);
    }

    [Fact]
    public async Task RemoteUrlAndFile_RemoteUrlsRepositoriesKeepTheirNames_TheFilesArePrefixed()
    {
        await using var setup = await MultiUpstreamSetup.StartAsync();
        var fromPrimary = await setup.Primary.Client.PushImageAsync("team/app", "v1");
        var fromReference = await setup.Reference.Client.PushImageAsync("team/app", "v1");
        setup.WriteFile(setup.ReferenceEntry);
        var cache = await setup.StartCacheAsync(new Dictionary<string, string?>
        {
            ["REMOTE_URL"] = setup.Primary.BaseAddress.ToString(),
            ["USER"] = RegistryServer.Username,
            ["PASSWORD"] = RegistryServer.Password,
        });

        // Docker Engine's form (no ns, no prefix) goes to REMOTE_URL's upstream, as it did with REMOTE_URL alone.
        var primary = await cache.Client.GetByteArrayAsync($"/v2/team/app/manifests/{fromPrimary.Digest}");
        var byNs = await cache.Client.GetByteArrayAsync($"/v2/team/app/manifests/{fromPrimary.Digest}?ns={setup.Primary.Authority}");
        var reference = await cache.Client.GetByteArrayAsync($"/v2/{Reference}/team/app/manifests/{fromReference.Digest}");
        using var catalog = JsonDocument.Parse(await cache.Client.GetStringAsync("/v2/_catalog"));

        Assert.Equal(fromPrimary.Manifest, primary);
        Assert.Equal(fromPrimary.Manifest, byNs);
        Assert.Equal(fromReference.Manifest, reference);
        Assert.Equal(["reference.test/team/app", "team/app"], catalog.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()).Order());
    }

    [Fact]
    public async Task DockerIoEntry_IsTheDefault_ItsPrefixIsDropped_AndItsNamesCannotLookLikeAnotherUpstreams()
    {
        await using var setup = await MultiUpstreamSetup.StartAsync();
        var fromPrimary = await setup.Primary.Client.PushImageAsync("library/alpine", "v1");
        var fromReference = await setup.Reference.Client.PushImageAsync("team/app", "v1");
        setup.WriteFile(setup.Entry("docker.io", setup.Primary.BaseAddress, RegistryServer.Username, "primary.password") + setup.ReferenceEntry);
        var cache = await setup.StartCacheAsync();

        // Docker Engine's form, podman's docker.io prefix mirror and containerd's ns name the same repository.
        var engine = await cache.Client.GetByteArrayAsync($"/v2/library/alpine/manifests/{fromPrimary.Digest}");
        var prefixed = await cache.Client.GetByteArrayAsync($"/v2/docker.io/library/alpine/manifests/{fromPrimary.Digest}");
        var byNs = await cache.Client.GetByteArrayAsync($"/v2/library/alpine/manifests/{fromPrimary.Digest}?ns=docker.io");
        var reference = await cache.Client.GetByteArrayAsync($"/v2/{Reference}/team/app/manifests/{fromReference.Digest}");
        using var lookalike = await cache.Client.GetAsync($"/v2/{Reference}/team/app/manifests/v1?ns=docker.io");
        using var unknownHost = await cache.Client.GetAsync("/v2/quay.io/team/app/manifests/v1");
        using var catalog = JsonDocument.Parse(await cache.Client.GetStringAsync("/v2/_catalog"));

        Assert.Equal(fromPrimary.Manifest, engine);
        Assert.Equal(fromPrimary.Manifest, prefixed);
        Assert.Equal(fromPrimary.Manifest, byNs);
        Assert.Equal(fromReference.Manifest, reference);
        Assert.Equal(HttpStatusCode.NotFound, lookalike.StatusCode);
        Assert.Contains("its first component names the upstream reference.test", await lookalike.Content.ReadAsStringAsync());
        // A registry host no upstream is named after is not a Docker Hub namespace.
        Assert.Equal(HttpStatusCode.NotFound, unknownHost.StatusCode);
        Assert.Contains("not quay.io", await unknownHost.Content.ReadAsStringAsync());
        Assert.Equal(["library/alpine", "reference.test/team/app"], catalog.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()).Order());
    }

    [Fact]
    public async Task OnlyUpstream_NotDockerIo_ServesUnprefixedRequests_StoredUnderItsName()
    {
        await using var setup = await MultiUpstreamSetup.StartAsync();
        var fromReference = await setup.Reference.Client.PushImageAsync("team/app", "v1");
        setup.WriteFile(setup.ReferenceEntry);
        var cache = await setup.StartCacheAsync();

        var plain = await cache.Client.GetByteArrayAsync($"/v2/team/app/manifests/{fromReference.Digest}");
        using var catalog = JsonDocument.Parse(await cache.Client.GetStringAsync("/v2/_catalog"));

        Assert.Equal(fromReference.Manifest, plain);
        // Stored under its name, so that another upstream added later leaves its repositories as they are.
        Assert.Equal(["reference.test/team/app"], catalog.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task JsonLogs_NameTheUpstream_OfTheRequestAndOfTheFill()
    {
        await using var setup = await MultiUpstreamSetup.StartAsync();
        var blob = TestContent.RandomBytes(10_000);
        var digest = await setup.Reference.Client.PushBlobAsync("team/app", blob);
        await using var cache = await RegistryProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["UPSTREAMS_FILE"] = setup.UpstreamsFile,
            ["LOG_FORMAT"] = "json",
            ["USERNAME"] = "",
            ["PASSWORD"] = "",
        });

        Assert.Equal(blob, await cache.Client.GetByteArrayAsync($"/v2/{Reference}/team/app/blobs/{digest}"));
        await cache.StopAsync();

        var events = cache.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(events, e => e.TryGetProperty("StatusCode", out var status) && status.GetInt32() == 200
            && e.GetProperty("Repository").GetString() == $"{Reference}/team/app" && e.GetProperty("Upstream").GetString() == Reference);
        Assert.Contains(events, e => e.TryGetProperty("Digest", out var logged) && logged.GetString() == digest
            && !e.TryGetProperty("StatusCode", out _) && e.GetProperty("Upstream").GetString() == Reference);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }
}
