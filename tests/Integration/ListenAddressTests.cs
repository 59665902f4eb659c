using System.Net;
using System.Net.Sockets;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// Where the registry listens: by default on every address of both families, with LISTEN_ADDRESS on one. Every
/// server here listens on loopback only: the default one runs in a network namespace of its own, which has
/// nothing but a loopback interface.
/// </summary>
public sealed class ListenAddressTests
{
    [Fact]
    public async Task Default_AnswersOnIPv4AndIPv6Loopback()
    {
        await RequireNetworkNamespacesAsync();

        // unshare execs sh, which brings loopback up and execs the registry, so the registry keeps the process id.
        await using var registry = await RegistryProcess.StartAsync(
            settings: new Dictionary<string, string> { ["PORT"] = "0" },
            launcher: ["unshare", "--net", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh"],
            urls: null);
        var port = registry.BaseAddress.Port;

        var v4 = await CurlInNamespaceAsync(registry.Id, $"http://127.0.0.1:{port}/v2/");
        var v6 = await CurlInNamespaceAsync(registry.Id, $"http://[::1]:{port}/v2/");

        Assert.Contains("listening on http://[::]:", registry.Output);
        Assert.Equal("200", v4);
        Assert.Equal("200", v6);
    }

    [Fact]
    public async Task ListenAddressIPv6Loopback_AnswersOnIt()
    {
        await using var server = await RegistryServer.StartAsync(ListenOn("::1"));

        using var client = server.CreateClient(RegistryServer.Username, RegistryServer.Password);
        client.BaseAddress = new Uri($"http://[::1]:{server.BaseAddress.Port}");
        using var response = await client.GetAsync("/v2/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await AssertRefusedAsync(IPAddress.Loopback, server.BaseAddress.Port);
    }

    [Fact]
    public async Task ListenAddressIPv4Loopback_RefusesIPv6Loopback()
    {
        await using var server = await RegistryServer.StartAsync(ListenOn("127.0.0.1"));

        using var response = await server.Client.GetAsync("/v2/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        await AssertRefusedAsync(IPAddress.IPv6Loopback, server.BaseAddress.Port);
    }

    // Without urls the settings choose the address; port 0 lets the OS pick a free port.
    private static Dictionary<string, string?> ListenOn(string address) =>
        new() { ["urls"] = null, ["PORT"] = "0", ["LISTEN_ADDRESS"] = address };

    private static async Task AssertRefusedAsync(IPAddress address, int port)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        var error = await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(address, port));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    private static async Task RequireNetworkNamespacesAsync()
    {
        const string need = "this test runs as root with unshare, nsenter (util-linux), ip (iproute2) and curl: run scripts/test.sh, which installs them";
        try
        {
            var probe = await ExternalCommand.RunAsync("unshare", ["--net", "sh", "-c", "ip link set lo up && command -v curl"]);
            if (probe.ExitCode != 0)
            {
                throw new Xunit.Sdk.XunitException($"{need}; the probe said: {probe.Output}");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{need}; {e.Message}");
        }
    }

    /// <summary>curl from inside the registry's network namespace; returns the HTTP status it got.</summary>
    private static async Task<string> CurlInNamespaceAsync(int pid, string url)
    {
        var login = $"{RegistryServer.Username}:{RegistryServer.Password}";
        var result = await ExternalCommand.RunAsync("nsenter", [$"--net=/proc/{pid}/ns/net", "curl", "-sS", "-g", "-o", "/dev/null", "-w", "%{http_code}", "-u", login, url]);
        Assert.True(result.ExitCode == 0, $"curl {url} exited with {result.ExitCode}: {result.Stderr}");
        return result.Stdout.Trim();
    }
}
