namespace NeonRegistry.Integration.Support;

/// <summary>
/// Runs the real skopeo against a test registry. The registry speaks plain HTTP, so every call turns TLS
/// verification off and skips the signature policy, and logs in as the test user; a run that fails or hangs
/// fails the test with skopeo's output.
/// </summary>
public static class Skopeo
{
    public const string Executable = "/usr/bin/skopeo";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>skopeo copy; <paramref name="options"/> go before the two image names, e.g. <c>--all</c>.</summary>
    public static Task CopyAsync(string source, string destination, params string[] options) =>
        RunSuccessfullyAsync(["--insecure-policy", "copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--src-creds", Login, "--dest-creds", Login, .. options, source, destination]);

    /// <summary>The manifest exactly as the registry serves it (<c>skopeo inspect --raw</c>).</summary>
    public static async Task<byte[]> InspectRawAsync(string image) =>
        (await RunSuccessfullyAsync(["inspect", "--raw", "--tls-verify=false", "--creds", Login, image])).StdoutBytes;

    /// <summary>The repository's tags as skopeo lists them (<c>skopeo list-tags</c>).</summary>
    public static async Task<IReadOnlyList<string>> ListTagsAsync(string repository)
    {
        var result = await RunSuccessfullyAsync(["list-tags", "--tls-verify=false", "--creds", Login, repository]);
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        return [.. json.RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()!)];
    }

    private static string Login => $"{RegistryServer.Username}:{RegistryServer.Password}";

    public static async Task<CommandResult> RunSuccessfullyAsync(IReadOnlyList<string> arguments) => (await RunAsync(arguments)).EnsureSuccess();

    public static Task<CommandResult> RunAsync(IReadOnlyList<string> arguments) => ExternalCommand.RunAsync(Executable, arguments, timeout: Timeout);
}
