using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// What counts toward the failed-login throttle: wrong logins do, at most ten bcrypt checks per address however
/// they arrive; the empty credentials that skopeo, podman and buildah send for an anonymous pull do not.
/// </summary>
public sealed class LoginThrottleTests
{
    [Fact]
    public async Task EmptyBasicCredentials_Return401WithChallenge_WithoutPasswordCheck()
    {
        await using var server = await RegistryServer.StartAsync();

        var answers = new List<(int Status, string Response)>();
        for (var i = 0; i < LoginThrottleLimit + 2; i++)
        {
            answers.Add(await RawHttp.SendAsync(server.BaseAddress, "GET", "/v2/", "Basic Og=="));
        }

        using var login = await server.Client.GetAsync("/v2/");
        var metrics = await MetricsAsync(server);

        Assert.All(answers, a => Assert.Equal(401, a.Status));
        Assert.All(answers, a => Assert.Contains("WWW-Authenticate: Basic realm=", a.Response));
        Assert.All(answers, a => Assert.Contains("authentication required", a.Response));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Null(metrics.Value("neon_registry_password_checks_total", ("result", "invalid")));
    }

    [Fact]
    public async Task SkopeoAnonymousRuns_DoNotLockTheAddressOut()
    {
        await using var server = await RegistryServer.StartAsync();
        await server.Client.PushImageAsync("private/app", "v1");

        var anonymous = new List<CommandResult>();
        for (var i = 0; i < LoginThrottleLimit; i++)
        {
            anonymous.Add(await Skopeo.RunAsync(["inspect", "--raw", "--tls-verify=false", "--no-creds", $"docker://{server.Authority}/private/app:v1"]));
        }

        var metrics = await MetricsAsync(server);
        var withLogin = await Skopeo.InspectRawAsync($"docker://{server.Authority}/private/app:v1");

        Assert.All(anonymous, run => Assert.NotEqual(0, run.ExitCode));
        Assert.All(anonymous, run => Assert.DoesNotContain("429", run.Stderr));
        Assert.Null(metrics.Value("neon_registry_password_checks_total", ("result", "invalid")));
        Assert.NotEmpty(withLogin);
    }

    [Fact]
    public async Task SimultaneousWrongLogins_FromOneAddress_GetAtMostTenPasswordChecks()
    {
        await using var server = await RegistryServer.StartAsync();
        using var handler = new SocketsHttpHandler();
        using var client = server.CreateClient(handler: handler);

        // Distinct guesses, so that no two share one check.
        var burst = await Task.WhenAll(Enumerable.Range(0, 400).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
            request.Headers.Authorization = RegistryServer.BasicAuth(RegistryServer.Username, $"guess-{i}");
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }));
        var metrics = await MetricsAsync(server);

        Assert.All(burst, s => Assert.True(s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"answered {s}"));
        Assert.Contains(HttpStatusCode.TooManyRequests, burst);
        Assert.InRange(metrics.Value("neon_registry_password_checks_total", ("result", "invalid")) ?? 0, 1, LoginThrottleLimit);
    }

    private const int LoginThrottleLimit = 10;

    private static async Task<PrometheusText> MetricsAsync(RegistryServer server)
    {
        using var anonymous = server.CreateClient();
        return new PrometheusText(await anonymous.GetStringAsync("/metrics"));
    }
}
