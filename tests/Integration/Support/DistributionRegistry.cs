using System.Net;
using System.Net.Sockets;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// The reference implementation, CNCF distribution (Debian's docker-registry), as a real process on loopback
/// with an htpasswd login, or with token authentication against a <see cref="TokenIssuer"/>, so the cache is
/// tested against the registry most upstreams run.
/// </summary>
public sealed class DistributionRegistry : IAsyncDisposable
{
    public const string Executable = "/usr/bin/docker-registry";
    public const string Username = "upstream-user";
    public const string Password = "upstream-password";

    /// <summary>The service name in token mode: the registry's Bearer challenge names it, and tokens carry it as their audience.</summary>
    public const string TokenService = "neon-test-registry";

    private readonly ExternalCommand _command;
    private readonly string _directory;

    private readonly bool _tokenAuth;

    private DistributionRegistry(ExternalCommand command, string directory, Uri baseAddress, bool tokenAuth)
    {
        _command = command;
        _directory = directory;
        _tokenAuth = tokenAuth;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
        if (!tokenAuth)
        {
            Client.DefaultRequestHeaders.Authorization = RegistryServer.BasicAuth(Username, Password);
        }
    }

    public Uri BaseAddress { get; }

    /// <summary>A client logged in to the reference registry with htpasswd; anonymous in token mode.</summary>
    public HttpClient Client { get; }

    /// <summary>The reference registry with an htpasswd login (<see cref="Username"/>, <see cref="Password"/>).</summary>
    public static async Task<DistributionRegistry> StartAsync()
    {
        var directory = TempDirectory.Create("distribution");
        var htpasswd = Path.Combine(directory, "htpasswd");
        await File.WriteAllTextAsync(htpasswd, $"{Username}:{BCrypt.Net.BCrypt.HashPassword(Password, 5)}\n");
        return await StartAsync(directory, tokenAuth: false, $"""
              htpasswd:
                realm: reference
                path: {htpasswd}
            """);
    }

    /// <summary>
    /// The reference registry with token authentication: it challenges with Bearer, naming <paramref name="realm"/>
    /// (the issuer's own URL when null) and <see cref="TokenService"/>, and trusts tokens signed by the issuer's key.
    /// </summary>
    /// <param name="realm">Another URL for the same issuer, e.g. under a different host name, to play a foreign realm.</param>
    public static async Task<DistributionRegistry> StartWithTokenAuthAsync(TokenIssuer issuer, Uri? realm = null)
    {
        var directory = TempDirectory.Create("distribution");
        var bundle = Path.Combine(directory, "token-root.pem");
        await File.WriteAllTextAsync(bundle, issuer.RootCertificatePem);
        return await StartAsync(directory, tokenAuth: true, $"""
              token:
                realm: {realm ?? issuer.TokenUrl}
                service: {TokenService}
                issuer: {TokenIssuer.Issuer}
                rootcertbundle: {bundle}
            """);
    }

    private static async Task<DistributionRegistry> StartAsync(string directory, bool tokenAuth, string authSection)
    {
        var port = FreePort();
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
            {authSection}
            """);
        var process = ExternalCommand.Start(Executable, ["serve", config]);
        var registry = new DistributionRegistry(process, directory, new Uri($"http://127.0.0.1:{port}"), tokenAuth);
        await registry.WaitUntilServingAsync();
        return registry;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _command.DisposeAsync();
        TempDirectory.Delete(_directory);
    }

    private async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_command.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited before it served /v2/:\n{_command.Output}");
            }

            try
            {
                using var response = await Client.GetAsync("/v2/");
                // In token mode an anonymous /v2/ is challenged: that challenge is the sign it serves.
                var serving = _tokenAuth
                    ? response.StatusCode == HttpStatusCode.Unauthorized && response.Headers.WwwAuthenticate.Any(c => c.Scheme == "Bearer")
                    : response.StatusCode == HttpStatusCode.OK;
                if (serving)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"docker-registry did not serve /v2/ within 30 s:\n{_command.Output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
