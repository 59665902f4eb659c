using System.Net;
using System.Net.Sockets;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

public sealed class AuthTests
{
    [Fact]
    public async Task Request_WithoutLogin_Returns401WithBasicChallenge()
    {
        await using var server = await RegistryServer.StartAsync();
        using var anonymous = server.CreateClient();

        using var response = await anonymous.GetAsync("/v2/");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", await response.ErrorCodeAsync());
        Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("realm=", response.Headers.WwwAuthenticate.Single().Parameter);
        Assert.Equal("registry/2.0", response.Header("Docker-Distribution-API-Version"));
    }

    [Fact]
    public async Task Request_WrongPassword_Returns401()
    {
        await using var server = await RegistryServer.StartAsync();
        using var wrong = server.CreateClient(RegistryServer.Username, "not the password");
        using var unknownUser = server.CreateClient("nobody", RegistryServer.Password);

        using var response = await wrong.GetAsync("/v2/_catalog");
        using var unknown = await unknownUser.GetAsync("/v2/_catalog");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", await response.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task BurstWithOneFreshLogin_IsCheckedOnceAndServedToAll()
    {
        await using var server = await RegistryServer.StartAsync();
        using var anonymous = server.CreateClient();

        // A restarted registry meeting many pulls with one login: they share a single bcrypt check.
        var burst = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var client = server.CreateClient(RegistryServer.Username, RegistryServer.Password);
            using var response = await client.GetAsync("/v2/");
            return response.StatusCode;
        }));
        using var metrics = await anonymous.GetAsync("/metrics");
        var text = new PrometheusText(await metrics.Content.ReadAsStringAsync());

        Assert.All(burst, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(1, text.Value("neon_registry_password_checks_total", ("result", "valid")));
    }

    [Fact]
    public async Task Request_RightLogin_IsServedRepeatedly()
    {
        await using var server = await RegistryServer.StartAsync();

        for (var i = 0; i < 3; i++)
        {
            using var response = await server.Client.GetAsync("/v2/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Htpasswd_UsersAdded_AndEditsTakeEffectWhileRunning()
    {
        var directory = TempDirectory.Create("htpasswd");
        try
        {
            var file = Path.Combine(directory, "htpasswd");
            await File.WriteAllTextAsync(file, $"alice:{BCrypt.Net.BCrypt.HashPassword("alice-pw", 4)}\n");
            await using var server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["HTPASSWD_FILE"] = file });
            using var alice = server.CreateClient("alice", "alice-pw");
            using var bob = server.CreateClient("bob", "bob-pw");

            using var aliceBefore = await alice.GetAsync("/v2/");
            using var bobBefore = await bob.GetAsync("/v2/");

            // Replace alice by bob; the $2y$ prefix is what `htpasswd -B` writes.
            var bobHash = "$2y$" + BCrypt.Net.BCrypt.HashPassword("bob-pw", 4)[4..];
            await File.WriteAllTextAsync(file, $"bob:{bobHash}\n");
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
            await Task.Delay(TimeSpan.FromSeconds(1.2));

            using var aliceAfter = await alice.GetAsync("/v2/");
            using var bobAfter = await bob.GetAsync("/v2/");
            using var main = await server.Client.GetAsync("/v2/");

            Assert.Equal(HttpStatusCode.OK, aliceBefore.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, bobBefore.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, aliceAfter.StatusCode);
            Assert.Equal(HttpStatusCode.OK, bobAfter.StatusCode);
            Assert.Equal(HttpStatusCode.OK, main.StatusCode);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    [Fact]
    public async Task FailedLogins_BurstFromOneAddress_Gets429WithRetryAfter_OtherAddressUnaffected()
    {
        var directory = TempDirectory.Create("htpasswd");
        var file = Path.Combine(directory, "htpasswd");
        await File.WriteAllTextAsync(file, $"colleague:{BCrypt.Net.BCrypt.HashPassword("colleague-pw", 4)}\n");
        await using var server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["HTPASSWD_FILE"] = file });
        using var attacker = server.CreateClient(RegistryServer.Username, "guess", FromAddress(IPAddress.Parse("127.0.0.2")));
        using var sameAddressRightLogin = server.CreateClient(RegistryServer.Username, RegistryServer.Password, FromAddress(IPAddress.Parse("127.0.0.2")));
        using var neighbour = server.CreateClient(RegistryServer.Username, RegistryServer.Password, FromAddress(IPAddress.Parse("127.0.0.3")));
        using var colleague = server.CreateClient("colleague", "colleague-pw", FromAddress(IPAddress.Parse("127.0.0.2")));
        using var before = await colleague.GetAsync("/v2/");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            using var attempt = await attacker.GetAsync("/v2/");
            statuses.Add(attempt.StatusCode);
        }

        using var blocked = await sameAddressRightLogin.GetAsync("/v2/");
        using var other = await neighbour.GetAsync("/v2/");
        using var colleagueAfter = await colleague.GetAsync("/v2/");

        Assert.All(statuses.Take(10), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal("TOOMANYREQUESTS", await blocked.ErrorCodeAsync());
        Assert.InRange(blocked.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, colleagueAfter.StatusCode);
        TempDirectory.Delete(directory);
    }

    [Fact]
    public async Task FailedLogins_ThroughTrustedProxy_AreCountedPerForwardedClient_WhileOthersCannotForgeTheHeader()
    {
        await using var server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["TRUSTED_PROXIES"] = "127.0.0.4, 10.0.0.0/8" });
        using var proxyWithGuess = server.CreateClient(RegistryServer.Username, "guess", FromAddress(IPAddress.Parse("127.0.0.4")));
        using var proxyWithLogin = server.CreateClient(RegistryServer.Username, RegistryServer.Password, FromAddress(IPAddress.Parse("127.0.0.4")));
        using var forger = server.CreateClient(RegistryServer.Username, "guess", FromAddress(IPAddress.Parse("127.0.0.5")));

        // The guessing client arrives directly and through a second trusted proxy (10.1.2.3): one client either way.
        var guesses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            guesses.Add(await GetBaseAsync(proxyWithGuess, i % 2 == 0 ? "203.0.113.7" : "203.0.113.7, 10.1.2.3"));
        }

        var guesserWithLogin = await GetBaseAsync(proxyWithLogin, "203.0.113.7");
        var otherClient = await GetBaseAsync(proxyWithLogin, "203.0.113.8");

        // An address that is not a trusted proxy is throttled as itself, whatever client it names.
        var forged = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            forged.Add(await GetBaseAsync(forger, $"198.51.100.{i}"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, guesses[^1]);
        Assert.Equal(HttpStatusCode.TooManyRequests, guesserWithLogin);
        Assert.Equal(HttpStatusCode.OK, otherClient);
        Assert.Equal(HttpStatusCode.TooManyRequests, forged[^1]);
    }

    [Fact]
    public async Task SkopeoLogin_ThenCopyWithStoredCredentials_Works()
    {
        await using var server = await RegistryServer.StartAsync();
        var directory = TempDirectory.Create("skopeo-auth");
        try
        {
            var authFile = Path.Combine(directory, "auth.json");
            var image = await server.Client.PushImageAsync("private/app", "v1");

            var badLogin = await Skopeo.RunAsync(["login", "--tls-verify=false", "--authfile", authFile, "-u", "tester", "-p", "wrong", server.Authority]);
            await Skopeo.RunSuccessfullyAsync(["login", "--tls-verify=false", "--authfile", authFile, "-u", RegistryServer.Username, "-p", RegistryServer.Password, server.Authority]);
            var target = Path.Combine(directory, "copy");
            await Skopeo.RunSuccessfullyAsync(["--insecure-policy", "copy", "--src-tls-verify=false", "--authfile", authFile, $"docker://{server.Authority}/private/app:v1", $"dir:{target}"]);

            Assert.NotEqual(0, badLogin.ExitCode);
            Assert.Equal(image.Manifest, await File.ReadAllBytesAsync(Path.Combine(target, "manifest.json")));
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    private static async Task<HttpStatusCode> GetBaseAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Connects from a chosen loopback address, so one test can play several clients.</summary>
    private static SocketsHttpHandler FromAddress(IPAddress local) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };
}
