using NeonRegistry.Configuration;
using NeonRegistry.Health;

namespace NeonRegistry.Commands;

/// <summary>
/// <c>neon-registry healthcheck</c>: asks the registry in the same container for /healthz and exits 0 when it
/// answers 200, 1 otherwise. The image's HEALTHCHECK runs it because the runtime image has no curl or wget. The
/// port comes from the same settings, read the same way, as the server's, so it probes where the server listens.
/// </summary>
internal static class HealthCheckCommand
{
    public const string Name = "healthcheck";

    // Below Docker's own HEALTHCHECK timeout, so a slow answer is reported by us rather than killed without a word.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(4);

    /// <summary>Loopback when the server listens on every address, else the one address it listens on.</summary>
    private static string ProbeHost(System.Net.IPAddress? listenAddress) =>
        listenAddress is null || listenAddress.Equals(System.Net.IPAddress.Any) || listenAddress.Equals(System.Net.IPAddress.IPv6Any) ? "127.0.0.1"
        : listenAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{listenAddress}]"
        : listenAddress.ToString();

    /// <exception cref="SettingsException">A setting is missing or malformed.</exception>
    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        var options = EnvironmentSettings.Read(configuration);
        var url = $"http://{ProbeHost(options.ListenAddress)}:{options.Port}{HealthEndpoints.LivenessPath}";
        using var client = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Console.WriteLine($"{url}: {(int)response.StatusCode} {body}");
            return response.StatusCode == System.Net.HttpStatusCode.OK ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.WriteLine($"{url}: {e.Message}");
            return 1;
        }
    }
}
