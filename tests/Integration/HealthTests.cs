using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>/healthz and /readyz answer probes without a login, in JSON; the binary's healthcheck command asks /healthz.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Healthz_WithoutLogin_Returns200Alive()
    {
        await using var server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["HOST"] = "node-7" });
        using var anonymous = server.CreateClient();

        using var response = await anonymous.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("alive", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("node-7", body.RootElement.GetProperty("host").GetString());
    }

    [Fact]
    public async Task Readyz_WritableStore_Returns200AndLeavesNoProbeFile()
    {
        await using var server = await RegistryServer.StartAsync();
        using var anonymous = server.CreateClient();

        using var response = await anonymous.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        var check = Assert.Single(body.RootElement.GetProperty("checks").EnumerateArray());
        Assert.Equal("store", check.GetProperty("name").GetString());
        Assert.Equal("healthy", check.GetProperty("status").GetString());
        Assert.Empty(Directory.EnumerateFileSystemEntries(server.StoragePath, ".readyz-*"));
    }

    [Fact]
    public async Task Readyz_StoreNotWritable_Returns503NamingTheStore_WhileHealthzStays200()
    {
        // Tests run as root, for whom permissions are no obstacle: a regular file where the store's directory
        // should be refuses writes to anyone.
        var directory = TempDirectory.Create("unwritable");
        try
        {
            var blocker = Path.Combine(directory, "not-a-directory");
            await File.WriteAllTextAsync(blocker, "");
            var store = Path.Combine(blocker, "store");
            await using var server = await RegistryServer.StartAsync(storagePath: store);
            using var anonymous = server.CreateClient();

            using var ready = await anonymous.GetAsync("/readyz");
            using var alive = await anonymous.GetAsync("/healthz");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("not ready", body.RootElement.GetProperty("status").GetString());
            var check = Assert.Single(body.RootElement.GetProperty("checks").EnumerateArray());
            Assert.Equal("unhealthy", check.GetProperty("status").GetString());
            Assert.Contains(store, check.GetProperty("description").GetString());
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    [Theory]
    [InlineData("/v2/")]
    [InlineData("/healthz/x")]
    [InlineData("/readyz/")]
    [InlineData("/metricsx")]
    [InlineData("/v2/healthz/manifests/latest")]
    public async Task OtherPaths_WithoutLogin_StillReturn401(string path)
    {
        await using var server = await RegistryServer.StartAsync();
        using var anonymous = server.CreateClient();

        using var response = await anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task HealthCheckCommand_RegistryAnswers_Exits0()
    {
        await using var server = await RegistryServer.StartAsync();

        var (exitCode, stdout, _) = await RegistryCommand.RunAsync(CommandSettings(server.BaseAddress.Port), "healthcheck");

        Assert.Equal(0, exitCode);
        Assert.Contains("/healthz: 200", stdout);
    }

    [Fact]
    public async Task HealthCheckCommand_NothingListening_Exits1()
    {
        var (exitCode, stdout, _) = await RegistryCommand.RunAsync(CommandSettings(UnusedPort()), "healthcheck");

        Assert.Equal(1, exitCode);
        Assert.Contains("/healthz", stdout);
    }

    private static Dictionary<string, string?> CommandSettings(int port) => new()
    {
        ["USERNAME"] = RegistryServer.Username,
        ["PASSWORD"] = RegistryServer.Password,
        ["SECRET"] = RegistryServer.TestSecret,
        ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
