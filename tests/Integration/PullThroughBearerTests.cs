using System.Net;
using System.Net.Http.Headers;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// Pulls through a cache whose upstream, the reference registry, challenges with Bearer: the cache logs in at the
/// token issuer the challenge names, reuses the token per repository until it expires, and never sends its
/// credentials to a realm on another host unless TOKEN_REALM_HOSTS lists it.
/// </summary>
public sealed class PullThroughBearerTests : IDisposable
{
    private const string PullScope = "repository:team/app:pull";

    private readonly string _work = TempDirectory.Create("bearer-cache");

    public void Dispose() => TempDirectory.Delete(_work);

    [Fact]
    public async Task Pull_BearerUpstream_IsByteIdenticalAndLogsInOncePerRepository()
    {
        await using var issuer = await TokenIssuer.StartAsync();
        await using var reference = await DistributionRegistry.StartWithTokenAuthAsync(issuer);
        var first = await PushAsync(issuer, reference, "v1");
        issuer.ResetCounts();
        await using var cache = await RegistryServer.StartCacheAsync(reference.BaseAddress, TokenIssuer.Username, TokenIssuer.Password);

        var pulled = Path.Combine(_work, "pulled");
        await Skopeo.CopyAsync($"docker://{cache.Authority}/team/app:v1", $"dir:{pulled}");
        var loginsAfterFirstPull = issuer.Requests;
        var second = await PushAsync(issuer, reference, "v2");
        issuer.ResetCounts();
        var secondPull = await PullThroughTests.PullAsync(cache.Client, "team/app", "v2");

        Assert.Equal(first.Manifest, await File.ReadAllBytesAsync(Path.Combine(pulled, "manifest.json")));
        foreach (var blob in first.Layers.Append(first.Config))
        {
            Assert.Equal(blob, await File.ReadAllBytesAsync(Path.Combine(pulled, TestContent.DigestOf(blob)["sha256:".Length..])));
        }

        var login = Assert.Single(loginsAfterFirstPull);
        Assert.Equal((DistributionRegistry.TokenService, PullScope, true, 200), (login.Service, Assert.Single(login.Scopes), login.CarriedCredentials, login.Status));
        Assert.Equal(second.Manifest, secondPull.Manifest);
        Assert.Equal(second.Config, secondPull.Config);
        Assert.Equal(second.Layers, secondPull.Layers);
        Assert.StartsWith("MISS", secondPull.ManifestCacheHeader);
        // Four new blobs and a manifest fetched with the token from the first pull: no new login.
        Assert.Empty(issuer.Requests);
    }

    [Fact]
    public async Task CacheMiss_AfterTokenExpires_FetchesNewTokenAndSucceeds()
    {
        await using var issuer = await TokenIssuer.StartAsync(expiresIn: TimeSpan.FromSeconds(3));
        await using var reference = await DistributionRegistry.StartWithTokenAuthAsync(issuer);
        await PushAsync(issuer, reference, "v1");
        var second = await PushAsync(issuer, reference, "v2");
        issuer.ResetCounts();
        // Read as a number all the same: the renewal below comes at 3 s, not at the default lifetime.
        issuer.ExpiresInAsString = true;
        await using var cache = await RegistryServer.StartCacheAsync(reference.BaseAddress, TokenIssuer.Username, TokenIssuer.Password);

        await PullThroughTests.PullAsync(cache.Client, "team/app", "v1");
        var loginsBeforeExpiry = issuer.Requests.Count;
        // Past the token's 3 s lifetime (the cache renews at 90 % of it).
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var afterExpiry = await PullThroughTests.PullAsync(cache.Client, "team/app", "v2");

        Assert.True(loginsBeforeExpiry >= 1, "the first pull logs in");
        Assert.Equal(second.Manifest, afterExpiry.Manifest);
        Assert.Equal(second.Layers, afterExpiry.Layers);
        // The first miss after expiry logs in again; the rest of that pull reuses the new token.
        var renewal = Assert.Single(issuer.Requests.Skip(loginsBeforeExpiry));
        Assert.Equal([PullScope], renewal.Scopes);
        Assert.True(renewal.CarriedCredentials);
        Assert.Equal(200, renewal.Status);
    }

    [Fact]
    public async Task Pull_RealmOnForeignHost_Returns503WithoutSendingCredentials_UnlessListedInTokenRealmHosts()
    {
        await using var issuer = await TokenIssuer.StartAsync();
        // The same issuer named by another host: the cache's upstream is 127.0.0.1, the realm is localhost.
        var foreignRealm = new UriBuilder(issuer.TokenUrl) { Host = "localhost" }.Uri;
        await using var reference = await DistributionRegistry.StartWithTokenAuthAsync(issuer, foreignRealm);
        var image = await PushAsync(issuer, reference, "v1");
        issuer.ResetCounts();
        await using var refusing = await RegistryServer.StartCacheAsync(reference.BaseAddress, TokenIssuer.Username, TokenIssuer.Password);
        await using var allowing = await RegistryServer.StartCacheAsync(
            reference.BaseAddress, TokenIssuer.Username, TokenIssuer.Password, new Dictionary<string, string?> { ["TOKEN_REALM_HOSTS"] = "localhost" });

        using var refused = await refusing.Client.GetAsync("/v2/team/app/manifests/v1");
        var message = await refused.Content.ReadAsStringAsync();
        var requestsAfterRefusal = issuer.Requests;
        var pulled = await PullThroughTests.PullAsync(allowing.Client, "team/app", "v1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("UNAVAILABLE", await refused.ErrorCodeAsync());
        Assert.Contains("TOKEN_REALM_HOSTS", message);
        Assert.Contains(foreignRealm.Authority, message);
        Assert.Empty(requestsAfterRefusal);
        Assert.Equal(image.Manifest, pulled.Manifest);
        Assert.Equal(image.Layers, pulled.Layers);
        var login = Assert.Single(issuer.Requests);
        Assert.True(login.CarriedCredentials);
    }

    [Fact]
    public async Task Pull_IssuerRefusesLogin_Returns503NamingUserAndPasswordNot401()
    {
        await using var issuer = await TokenIssuer.StartAsync();
        await using var reference = await DistributionRegistry.StartWithTokenAuthAsync(issuer);
        await PushAsync(issuer, reference, "v1");
        issuer.ResetCounts();
        await using var cache = await RegistryServer.StartCacheAsync(reference.BaseAddress, TokenIssuer.Username, "wrong");

        using var response = await cache.Client.GetAsync("/v2/team/app/manifests/v1");

        // A 401 would make the client prompt for the cache's own login, which it does not have.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("UNAVAILABLE", await response.ErrorCodeAsync());
        Assert.Contains("USER and PASSWORD", await response.Content.ReadAsStringAsync());
        var login = Assert.Single(issuer.Requests);
        Assert.Equal((true, 401), (login.CarriedCredentials, login.Status));
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/token")]
    [InlineData("file:///etc/passwd")]
    [InlineData("data:text/plain,token")]
    public async Task Pull_RealmNotHttp_Returns503NamingTheRealm(string realm)
    {
        await using var issuer = await TokenIssuer.StartAsync();
        await using var reference = await DistributionRegistry.StartWithTokenAuthAsync(issuer, new Uri(realm));
        await using var anonymous = await RegistryServer.StartCacheAsync(reference.BaseAddress, null, null);
        await using var loggedIn = await RegistryServer.StartCacheAsync(reference.BaseAddress, TokenIssuer.Username, TokenIssuer.Password);

        foreach (var cache in new[] { anonymous, loggedIn })
        {
            using var response = await cache.Client.GetAsync("/v2/team/app/manifests/v1");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("UNAVAILABLE", await response.ErrorCodeAsync());
            Assert.Contains($"token realm '{new Uri(realm)}'", await response.Content.ReadAsStringAsync());
        }

        Assert.Empty(issuer.Requests);
    }

    [Fact]
    public async Task Readiness_TokenServiceRefusesLogin_SaysDegraded_ButHealthyWithTheRightOne()
    {
        await using var issuer = await TokenIssuer.StartAsync();
        await using var reference = await DistributionRegistry.StartWithTokenAuthAsync(issuer);
        await using var refused = await RegistryServer.StartCacheAsync(reference.BaseAddress, TokenIssuer.Username, "wrong");
        await using var accepted = await RegistryServer.StartCacheAsync(reference.BaseAddress, TokenIssuer.Username, TokenIssuer.Password);

        using var refusedReady = await refused.Client.GetAsync("/readyz");
        var refusedBody = await refusedReady.Content.ReadAsStringAsync();
        using var acceptedReady = await accepted.Client.GetAsync("/readyz");
        var acceptedBody = await acceptedReady.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, refusedReady.StatusCode);
        Assert.Contains("\"degraded\"", refusedBody);
        Assert.Contains($"upstream {reference.BaseAddress.Authority} refuses USER/PASSWORD", refusedBody);
        Assert.Equal(HttpStatusCode.OK, acceptedReady.StatusCode);
        Assert.DoesNotContain("degraded", acceptedBody);
        Assert.Equal([(true, 200), (true, 401)], issuer.Requests.Select(r => (r.CarriedCredentials, r.Status)).Order());
    }

    [Fact]
    public async Task Cache_UserWithoutPassword_StartsAnonymous_WarnsOnce_AndReadinessSaysRefused()
    {
        await using var issuer = await TokenIssuer.StartAsync();
        await using var reference = await DistributionRegistry.StartWithTokenAuthAsync(issuer);
        // USER as a login shell sets it; no PASSWORD.
        await using var cache = await RegistryProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["REMOTE_URL"] = reference.BaseAddress.ToString(),
            ["USER"] = "operator",
            ["PASSWORD"] = "",
            ["SECRET"] = "",
            ["USERNAME"] = "",
        });
        cache.Client.DefaultRequestHeaders.Authorization = null;

        using var pull = await cache.Client.GetAsync("/v2/team/app/manifests/v1");
        using var ready = await cache.Client.GetAsync("/readyz");
        var body = await ready.Content.ReadAsStringAsync();

        var lines = cache.Output.Split('\n');
        Assert.True(lines.Count(line => line.Contains("and was ignored", StringComparison.Ordinal)) == 1, cache.Output);
        var warning = lines.Single(line => line.Contains("and was ignored", StringComparison.Ordinal));
        Assert.Contains("WRN", warning);
        Assert.Contains("USER 'operator' is set without PASSWORD and was ignored", warning);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, pull.StatusCode);
        Assert.NotEmpty(issuer.Requests);
        Assert.All(issuer.Requests, r => Assert.False(r.CarriedCredentials));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("refuses anonymous pulls (USER was set without PASSWORD and ignored)", body);
    }

    /// <summary>Pushes a new image to team/app with a push token fetched from the issuer, as docker push would.</summary>
    [Fact]
    public async Task TwoEntries_SameBearerUpstream_DifferentLogins_TheRefusedOneNeverPullsWithTheOthersToken()
    {
        await using var issuer = await TokenIssuer.StartAsync();
        await using var reference = await DistributionRegistry.StartWithTokenAuthAsync(issuer);
        var image = await PushAsync(issuer, reference, "v1");
        await File.WriteAllTextAsync(Path.Combine(_work, "good.password"), TokenIssuer.Password + "\n");
        await File.WriteAllTextAsync(Path.Combine(_work, "bad.password"), "wrong\n");
        var upstreams = Path.Combine(_work, "upstreams.toml");
        await File.WriteAllTextAsync(upstreams, Entry("good.test", reference.BaseAddress, "good.password") + Entry("bad.test", reference.BaseAddress, "bad.password"));
        await using var cache = await RegistryServer.StartCacheAsync(reference.BaseAddress, user: null, password: null, new Dictionary<string, string?> { ["REMOTE_URL"] = null, ["UPSTREAMS_FILE"] = upstreams });

        using var good = await cache.Client.GetAsync("/v2/good.test/team/app/manifests/v1");
        issuer.ResetCounts();
        using var refused = await cache.Client.GetAsync("/v2/bad.test/team/app/manifests/v1");

        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(image.Manifest, await good.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains(issuer.Requests, login => login.Scopes.Contains(PullScope) && login.CarriedCredentials && login.Status == 401);
    }

    private string Entry(string name, Uri url, string passwordFile) => $"""
        [[upstream]]
        name = "{name}"
        url = "{url}"
        user = "{TokenIssuer.Username}"
        password_file = "{Path.Combine(_work, passwordFile)}"


        """;

    private static async Task<PushedImage> PushAsync(TokenIssuer issuer, DistributionRegistry reference, string tag)
    {
        var token = await issuer.RequestTokenAsync(DistributionRegistry.TokenService, "repository:team/app:pull,push");
        using var client = new HttpClient { BaseAddress = reference.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.PushImageAsync("team/app", tag, layerCount: 3);
    }
}
