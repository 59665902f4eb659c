using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>PEERS is checked at start-up like every setting: one line naming it, exit 1.</summary>
public sealed class PeerSettingsTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["REMOTE_URL"] = "http://127.0.0.1:9",
        ["STORAGE_PATH"] = Path.Combine(Path.GetTempPath(), "neon-registry-tests", "peer-settings-never-created"),
        ["PORT"] = "0",
        ["HOST"] = "manager-1",
        ["SECRET"] = RegistryServer.TestSecret,
        ["PEERS"] = "http://manager-1:5002,http://manager-2:5002",
    };

    [Theory]
    [InlineData("PEERS", "http://manager-2:5002,http://manager-3:5002", "PEERS must list this node too: no entry's host is HOST 'manager-1'")]
    [InlineData("PEERS", "http://manager-1:5002,http://manager-1:5003", "PEERS has 2 entries whose host is HOST 'manager-1'")]
    [InlineData("PEERS", "http://manager-1:5002,manager-2:5002", "PEERS entry 'manager-2:5002' is not the root URL of a cache node")]
    [InlineData("PEERS", "http://manager-1:5002,http://manager-1:5002", "PEERS lists manager-1:5002 twice")]
    [InlineData("SECRET", "", "SECRET is required with PEERS")]
    [InlineData("SECRET", "short", "SECRET must be at least 32 characters")]
    [InlineData("PEER_TIMEOUT", "soon", "PEER_TIMEOUT 'soon' is not a duration")]
    [InlineData("REMOTE_URL", "", "PEERS is for cache nodes")]
    public async Task Start_BadPeerSetting_ExitsWithOneLineNamingIt(string name, string value, string expected)
    {
        var environment = new Dictionary<string, string?>(Valid) { [name] = value };
        if (name == "REMOTE_URL")
        {
            environment["USERNAME"] = RegistryServer.Username;
            environment["PASSWORD"] = RegistryServer.Password;
        }

        var (exitCode, _, stderr) = await RegistryCommand.RunAsync(environment);

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
