using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>Cache mode's own settings are checked like the others: one line naming the variable, exit 1.</summary>
public sealed class CacheSettingsTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["REMOTE_URL"] = "http://127.0.0.1:9",
        ["STORAGE_PATH"] = Path.Combine(Path.GetTempPath(), "neon-registry-tests", "cache-settings-never-created"),
        ["PORT"] = "0",
    };

    [Theory]
    [InlineData("PASSWORD", "secret", "USER is required when PASSWORD is set")]
    [InlineData("TAG_FRESHNESS", "soon", "TAG_FRESHNESS 'soon' is not a duration")]
    [InlineData("UPSTREAM_TIMEOUT", "0s", "UPSTREAM_TIMEOUT '0s' is not a duration")]
    [InlineData("CACHE_SIZE_LIMIT", "lots", "CACHE_SIZE_LIMIT 'lots' is not a size")]
    public async Task Start_BadCacheSetting_ExitsWithOneLineNamingIt(string name, string value, string expected)
    {
        var environment = new Dictionary<string, string?>(Valid) { [name] = value };

        var (exitCode, _, stderr) = await RegistryCommand.RunAsync(environment);

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
