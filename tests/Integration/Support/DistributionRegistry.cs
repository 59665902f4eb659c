using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// The reference implementation, CNCF distribution (Debian's docker-registry), as a real process on loopback
/// with an htpasswd login, so the cache is tested against the registry most upstreams run.
/// </summary>
public sealed class DistributionRegistry : IAsyncDisposable
{
    public const string Executable = "/usr/bin/docker-registry";
    public const string Username = "upstream-user";
    public const string Password = "upstream-password";

    private readonly Process _process;
    private readonly string _directory;

    private DistributionRegistry(Process process, string directory, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
        Client.DefaultRequestHeaders.Authorization = RegistryServer.BasicAuth(Username, Password);
    }

    public Uri BaseAddress { get; }

    /// <summary>A client logged in to the reference registry.</summary>
    public HttpClient Client { get; }

    public static async Task<DistributionRegistry> StartAsync()
    {
        var directory = TempDirectory.Create("distribution");
        var port = FreePort();
        var htpasswd = Path.Combine(directory, "htpasswd");
        await File.WriteAllTextAsync(htpasswd, $"{Username}:{BCrypt.Net.BCrypt.HashPassword(Password, 5)}\n");
        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {Path.Combine(directory, "store")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            auth:
              htpasswd:
                realm: reference
                path: {htpasswd}
            """);
        var start = new ProcessStartInfo(Executable, ["serve", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new DistributionRegistry(process, directory, new Uri($"http://127.0.0.1:{port}"));
        await registry.WaitUntilServingAsync();
        return registry;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        TempDirectory.Delete(_directory);
    }

    private async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode}");
            }

            try
            {
                using var response = await Client.GetAsync("/v2/");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("docker-registry did not serve /v2/ within 30 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
