using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>What the registry writes to its log: one line per request, never a secret.</summary>
public sealed class LoggingTests
{
    [Fact]
    public async Task DebugLogs_OfPushesAndLogins_HoldNoSecret()
    {
        await using var registry = await RegistryProcess.StartAsync(settings: new Dictionary<string, string> { ["LOG_LEVEL"] = "debug", ["HOST"] = "registry-7" });
        await registry.Client.PushImageAsync("app", "v1");
        using var start = await registry.Client.PostAsync("/v2/app/blobs/uploads/", null);
        var location = start.Headers.Location!.OriginalString;
        var content = TestContent.RandomBytes(1000);
        using var patch = await registry.Client.PatchAsync(location, RegistryApi.Octets(content));
        using var put = await registry.Client.PutAsync($"{patch.Headers.Location!.OriginalString}&digest={TestContent.DigestOf(content)}", null);
        using var intruder = new HttpClient { BaseAddress = registry.BaseAddress };
        intruder.DefaultRequestHeaders.Authorization = RegistryServer.BasicAuth(RegistryServer.Username, "a-guessed-password");
        using var refused = await intruder.GetAsync("/v2/_catalog");
        await registry.StopAsync();

        var output = registry.Output;
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var state = location[(location.IndexOf("_state=", StringComparison.Ordinal) + 7)..];
        Assert.DoesNotContain(RegistryServer.Password, output);
        Assert.DoesNotContain("a-guessed-password", output);
        Assert.DoesNotContain(RegistryServer.BasicAuth(RegistryServer.Username, RegistryServer.Password).Parameter!, output);
        Assert.DoesNotContain(state[..20], output);
        Assert.DoesNotContain("_state", output);
        Assert.DoesNotContain(RegistryServer.TestSecret, output);
        // The request lines are there: method, repository, reference, status and the instance's name.
        Assert.Contains($"registry-7 PUT app v1 201", output);
        Assert.Contains($"GET - - 401", output);
        Assert.Contains("registry-7 POST app - 202", output);
    }

    [Fact]
    public async Task RequestLine_OfARefusedLogin_NamesRepositoryAndReference()
    {
        await using var registry = await RegistryProcess.StartAsync(settings: new Dictionary<string, string> { ["HOST"] = "registry-9" });
        using var anonymous = new HttpClient { BaseAddress = registry.BaseAddress };

        using var refused = await anonymous.GetAsync("/v2/team/app/manifests/v1");
        await registry.StopAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("registry-9 GET team/app v1 401", registry.Output);
    }

    [Fact]
    public async Task CacheMode_StartLineAndRefusedNamespace_SayWhatTheyAre()
    {
        var settings = new Dictionary<string, string>
        {
            ["HOST"] = "cache-3", ["REMOTE_URL"] = "http://127.0.0.1:9/", ["USER"] = "mirror-bot", ["TAG_FRESHNESS"] = "5m", ["CACHE_SIZE_LIMIT"] = "20GiB",
        };
        await using var cache = await RegistryProcess.StartAsync(settings: settings);

        using var refused = await cache.Client.GetAsync("/v2/library/alpine/manifests/3.20?ns=ghcr.io");
        await cache.StopAsync();

        var output = cache.Output;
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        var start = Assert.Single(output.Split('\n'), l => l.Contains("listening on"));
        Assert.Contains("pull-through cache of http://127.0.0.1:9/", start);
        Assert.Contains("tag freshness 00:05:00", start);
        Assert.Contains("size limit 20.0 GiB", start);
        Assert.Contains("upstream login as mirror-bot", start);
        Assert.DoesNotContain(RegistryServer.Password, output);
        Assert.Contains("cache-3 GET library/alpine 3.20 404", output);
    }

    [Fact]
    public async Task JsonFormat_WritesOneJsonObjectPerLine()
    {
        await using var registry = await RegistryProcess.StartAsync(settings: new Dictionary<string, string> { ["LOG_FORMAT"] = "json", ["HOST"] = "registry-8" });
        await registry.Client.PushImageAsync("app", "v1");
        await registry.StopAsync();

        var lines = registry.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('[')).ToList();
        var events = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal("registry-8", e.GetProperty("Instance").GetString()));
        Assert.Contains(events, e => e.TryGetProperty("StatusCode", out var status) && status.GetInt32() == 201
            && e.GetProperty("Repository").GetString() == "app");
    }

    [Fact]
    public async Task RequestLine_Bytes_AreTheBytesSent()
    {
        // Far more than loopback's socket buffers hold, so a client that stops reading stops the download.
        var blob = TestContent.RandomBytes(48 * 1024 * 1024);
        var digest = TestContent.DigestOf(blob);
        await using var registry = await RegistryProcess.StartAsync();
        await registry.Client.PushBlobAsync("app", blob);

        using (var head = await registry.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{digest}")))
        {
            Assert.Equal(blob.Length, head.Content.Headers.ContentLength);
        }

        var whole = await registry.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}");
        using (var aborted = await registry.Client.GetAsync($"/v2/app/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await aborted.Content.ReadAsStreamAsync();
            await body.ReadExactlyAsync(new byte[8 * 1024 * 1024]);
        }

        await registry.StopAsync();

        int SentBy(string method, int index) =>
            Regex.Matches(registry.Output, $@"{method} app {Regex.Escape(digest)} 200 (\d+) bytes").Select(m => int.Parse(m.Groups[1].Value)).ElementAt(index);
        Assert.Equal(blob.Length, whole.Length);
        Assert.Equal(0, SentBy("HEAD", 0));
        Assert.Equal(blob.Length, SentBy("GET", 0));
        // Counted per completed write of 1 MiB: the client had 8 MiB, so at least 7 had been handed over.
        Assert.InRange(SentBy("GET", 1), 7 * 1024 * 1024, blob.Length - 1);
    }

    [Fact]
    public async Task RequestLine_Bytes_OfProbesAndPages_AreTheirBodies()
    {
        await using var registry = await RegistryProcess.StartAsync(settings: new Dictionary<string, string> { ["LOG_LEVEL"] = "debug" });

        var probe = await registry.Client.GetByteArrayAsync("/healthz");
        var page = await registry.Client.GetByteArrayAsync("/ui/style.css");
        await registry.StopAsync();

        var sent = Regex.Matches(registry.Output, @"GET - - 200 (\d+) bytes").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal([probe.Length, page.Length], sent.TakeLast(2));
        Assert.All(sent.TakeLast(2), bytes => Assert.True(bytes > 0));
    }
}
