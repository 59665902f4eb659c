using System.Text.RegularExpressions;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>A missing or bad setting stops start-up with exit status 1 and one line naming the variable.</summary>
public sealed class SettingsTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["USERNAME"] = "admin",
        ["PASSWORD"] = "admin-password",
        ["SECRET"] = RegistryServer.TestSecret,
        ["STORAGE_PATH"] = Path.Combine(Path.GetTempPath(), "neon-registry-tests", "settings-never-created"),
        ["PORT"] = "0",
    };

    [Theory]
    [InlineData("SECRET", null, "SECRET is required")]
    [InlineData("SECRET", "too-short", "SECRET must be at least 32 characters")]
    [InlineData("USERNAME", null, "USERNAME is required")]
    [InlineData("USERNAME", "a:b", "USERNAME must not contain ':'")]
    [InlineData("PASSWORD", null, "PASSWORD is required")]
    [InlineData("PORT", "http", "PORT 'http' is not a port number")]
    [InlineData("PORT", "70000", "PORT '70000' is not a port number")]
    [InlineData("READ_ONLY", "yes", "READ_ONLY 'yes' must be 'true' or 'false'")]
    [InlineData("READ_ONLY", "True", "READ_ONLY 'True' must be 'true' or 'false'")]
    [InlineData("DELETE_ENABLED", "0", "DELETE_ENABLED '0' must be 'true' or 'false'")]
    [InlineData("LOG_LEVEL", "verbose", "LOG_LEVEL 'verbose' must be one of error, warn, info, debug")]
    [InlineData("LOG_FORMAT", "xml", "LOG_FORMAT 'xml' must be 'text' or 'json'")]
    [InlineData("HTPASSWD_FILE", "/nonexistent/htpasswd", "HTPASSWD_FILE '/nonexistent/htpasswd' does not exist")]
    [InlineData("TRUSTED_PROXIES", "10.0.0.5,proxy.local", "TRUSTED_PROXIES entry 'proxy.local' is not an IP address or network")]
    [InlineData("TRUSTED_PROXIES", "10.0.0.0/33", "TRUSTED_PROXIES entry '10.0.0.0/33' is not an IP address or network")]
    [InlineData("LISTEN_ADDRESS", "localhost", "LISTEN_ADDRESS 'localhost' is not an IP address")]
    [InlineData("LISTEN_ADDRESS", "127.1", "LISTEN_ADDRESS '127.1' is not an IP address")]
    [InlineData("MAX_CONNECTIONS", "0", "MAX_CONNECTIONS '0' is not a positive whole number")]
    [InlineData("MAX_CONNECTIONS", "many", "MAX_CONNECTIONS 'many' is not a positive whole number")]
    [InlineData("REMOTE_URL", "registry-1.docker.io", "REMOTE_URL 'registry-1.docker.io' is not the absolute http(s) URL")]
    [InlineData("REMOTE_URL", "ftp://mirror", "REMOTE_URL 'ftp://mirror' is not the absolute http(s) URL")]
    [InlineData("REMOTE_URL", "https://bot:hunter2@registry.example.com", "REMOTE_URL must not carry a login (user:password@host)")]
    public async Task Start_BadSetting_ExitsWithOneLineNamingIt(string name, string? value, string expected)
    {
        var environment = new Dictionary<string, string?>(Valid) { [name] = value };
        if (value is null)
        {
            environment.Remove(name);
        }

        var (exitCode, stdout, stderr) = await RegistryCommand.RunAsync(environment);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line);
        Assert.DoesNotContain("listening", stdout);
        Assert.False(Directory.Exists(Valid["STORAGE_PATH"]));
    }

    /// <summary>
    /// README's settings tables are the one list of names the tests clear from every child's environment, so they
    /// must name every setting the registry reads: the names quoted in the one file that reads settings.
    /// </summary>
    [Fact]
    public void Readme_SettingsTables_NameEverySettingTheRegistryReads()
    {
        var source = File.ReadAllText(RepositoryRoot.File("src/Cache/Configuration/EnvironmentSettings.cs"));
        var read = Regex.Matches(source, "\"([A-Z][A-Z0-9_]+)\"").Select(m => m.Groups[1].Value).Distinct();

        Assert.Equal(read.Order(StringComparer.Ordinal), RegistrySettings.Names.Order(StringComparer.Ordinal));
    }
}
