namespace NeonRegistry.Integration.Support;

/// <summary>
/// Two upstreams with different logins behind one cache, named in an upstreams file: our primary as
/// <see cref="PrimaryName"/> and the reference registry (distribution) as <see cref="ReferenceName"/>.
/// </summary>
public sealed class MultiUpstreamSetup : IAsyncDisposable
{
    public const string PrimaryName = "primary.test";
    public const string ReferenceName = "reference.test";

    private MultiUpstreamSetup(RegistryServer primary, DistributionRegistry reference, string directory)
    {
        Primary = primary;
        Reference = reference;
        Directory = directory;
    }

    public RegistryServer Primary { get; }

    public DistributionRegistry Reference { get; }

    /// <summary>Where the upstreams file and the password files are.</summary>
    public string Directory { get; }

    public string UpstreamsFile => Path.Combine(Directory, "upstreams.toml");

    /// <summary>Null until <see cref="StartCacheAsync"/>.</summary>
    public RegistryServer Cache { get; private set; } = null!;

    /// <summary>Both upstreams, started, and a file naming both (write another with <see cref="WriteFile"/> before the cache starts).</summary>
    public static async Task<MultiUpstreamSetup> StartAsync()
    {
        var directory = TempDirectory.Create("upstreams");
        var primary = await RegistryServer.StartAsync();
        var reference = await DistributionRegistry.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(directory, "primary.password"), RegistryServer.Password + "\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "reference.password"), DistributionRegistry.Password + "\n");
        var setup = new MultiUpstreamSetup(primary, reference, directory);
        setup.WriteFile(setup.PrimaryEntry + setup.ReferenceEntry);
        return setup;
    }

    public string PrimaryEntry => Entry(PrimaryName, Primary.BaseAddress, RegistryServer.Username, "primary.password");

    public string ReferenceEntry => Entry(ReferenceName, Reference.BaseAddress, DistributionRegistry.Username, "reference.password");

    public string Entry(string name, Uri url, string user, string passwordFile) => $"""
        [[upstream]]
        name = "{name}"
        url = "{url}"
        user = "{user}"
        password_file = "{Path.Combine(Directory, passwordFile)}"


        """;

    /// <summary>Replaces the file at once (a new file renamed over it), so the cache never reads half an edit.</summary>
    public void WriteFile(string text)
    {
        var temp = UpstreamsFile + ".new";
        File.WriteAllText(temp, text);
        File.Move(temp, UpstreamsFile, overwrite: true);
    }

    /// <summary>The cache, with no REMOTE_URL: its upstreams come from the file alone unless <paramref name="settings"/> add one.</summary>
    public async Task<RegistryServer> StartCacheAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["REMOTE_URL"] = null, ["UPSTREAMS_FILE"] = UpstreamsFile };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        Cache = await RegistryServer.StartCacheAsync(Primary.BaseAddress, user: null, password: null, all);
        return Cache;
    }

    public async ValueTask DisposeAsync()
    {
        if (Cache is not null)
        {
            await Cache.DisposeAsync();
        }

        await Reference.DisposeAsync();
        await Primary.DisposeAsync();
        TempDirectory.Delete(Directory);
    }
}
