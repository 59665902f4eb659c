using System.Net;
using System.Net.Sockets;
using System.Text;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// MAX_CONNECTIONS against a flood of idle connections: more than the process has descriptors for, opened by a
/// client that never sends a byte. The registry must stay alive, keep answering its health probe, say once that
/// the limit was reached, and serve normally once the flood is gone.
/// </summary>
public sealed class ConnectionLimitTests
{
    private const int OpenFileLimit = 1024;

    [Fact]
    public async Task IdleFloodPastTheDescriptorLimit_LogsOneWarningKeepsHealthzAndPullsOnceItCloses()
    {
        await using var registry = await RegistryProcess.StartAsync(launcher: ["prlimit", $"--nofile={OpenFileLimit}"]);
        var image = await registry.Client.PushImageAsync("app", "v1");
        // The default from the formula README documents: (RLIMIT_NOFILE - 128) / 3.
        var limit = (OpenFileLimit - 128) / 3;
        Assert.Contains($"at most {limit} connections", registry.Output);

        var flood = new List<Socket>();
        int? health;
        try
        {
            for (var i = 0; i < OpenFileLimit + 100; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                flood.Add(socket);
                await socket.ConnectAsync(IPAddress.Loopback, registry.BaseAddress.Port);
            }

            health = await EventuallyAsync(() => StatusOrNullAsync(registry.BaseAddress, "/healthz"));
            await EventuallyAsync(() => Task.FromResult<int?>(registry.Output.Contains("reached: new connections") ? 1 : null));
        }
        finally
        {
            flood.ForEach(socket => socket.Dispose());
        }

        // The server sees the closes a moment later; then a pull goes through as before.
        var ready = await EventuallyAsync(() => StatusOrNullAsync(registry.BaseAddress, "/v2/"));
        using var pulled = await registry.Client.GetAsync($"/v2/app/manifests/{image.Digest}");
        var layers = await Task.WhenAll(image.Layers.Select(layer => registry.Client.GetByteArrayAsync($"/v2/app/blobs/{TestContent.DigestOf(layer)}")));
        var exitStatus = await registry.StopAsync();

        // A registry out of descriptors aborted with 134 ("Out of memory.") or stopped accepting.
        Assert.Equal(0, exitStatus);
        Assert.Equal(200, health);
        Assert.Equal(401, ready);
        Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        Assert.Equal(image.Layers.Select(TestContent.DigestOf), layers.Select(TestContent.DigestOf));
        var warning = Assert.Single(registry.Output.Split('\n'), line => line.Contains("MAX_CONNECTIONS (") && line.Contains("reached"));
        Assert.Contains($"MAX_CONNECTIONS ({limit}) reached", warning);
        Assert.Contains(" WRN] ", warning);
        Assert.Contains($"Connections back under MAX_CONNECTIONS ({limit})", registry.Output);
        Assert.DoesNotContain("Out of memory", registry.Output);
    }

    /// <summary>The status of one request on a connection of its own, or null when the connection was refused or closed unanswered.</summary>
    private static async Task<int?> StatusOrNullAsync(Uri server, string path)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(server.Host, server.Port);
            await using var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n"));
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var statusLine = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return statusLine?.Split(' ') is [_, var status, ..] ? int.Parse(status) : null;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return null;
        }
    }

    /// <summary>Retries until an answer comes, for at most a minute.</summary>
    private static async Task<int?> EventuallyAsync(Func<Task<int?>> attempt)
    {
        for (var i = 0; i < 120; i++)
        {
            if (await attempt() is { } answer)
            {
                return answer;
            }

            await Task.Delay(500);
        }

        return null;
    }
}
