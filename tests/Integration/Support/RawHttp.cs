using System.Net.Sockets;
using System.Text;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// Sends a request target byte for byte. HttpClient normalises "..", "%2F" and backslashes before sending,
/// which would hide exactly the paths a path-traversal test needs to send.
/// </summary>
public static class RawHttp
{
    public static async Task<(int Status, string Response)> SendAsync(Uri server, string method, string target, string? authorization = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await using var stream = tcp.GetStream();
        var login = authorization is null ? "" : $"Authorization: {authorization}\r\n";
        var request = $"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\n{login}Content-Length: 0\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var status = int.Parse(response.Split(' ', 3)[1]);
        return (status, response);
    }
}
