using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// The real registry host on a loopback port, with its own temp store and settings passed in memory (never
/// through the process environment, since tests run in parallel).
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    public const string TestSecret = "test-secret-0123456789abcdef0123456789";
    public const string Username = "tester";
    public const string Password = "correct horse battery staple";

    private readonly WebApplication _app;
    private readonly bool _ownsStorage;

    private RegistryServer(WebApplication app, string storagePath, bool ownsStorage)
    {
        _app = app;
        StoragePath = storagePath;
        _ownsStorage = ownsStorage;
        BaseAddress = LoopbackApp.AddressOf(app);
        Client = CreateClient(Username, Password);
    }

    public Uri BaseAddress { get; }

    /// <summary>host:port, as skopeo and other registry clients name the registry.</summary>
    public string Authority => BaseAddress.Authority;

    public string StoragePath { get; }

    /// <summary>A client logged in as the configured user.</summary>
    public HttpClient Client { get; }

    /// <summary>A client with the given login, or none when <paramref name="username"/> is null.</summary>
    public HttpClient CreateClient(string? username = null, string? password = null, HttpMessageHandler? handler = null)
    {
        var client = handler is null ? new HttpClient() : new HttpClient(handler);
        client.BaseAddress = BaseAddress;
        if (username is not null)
        {
            client.DefaultRequestHeaders.Authorization = BasicAuth(username, password ?? "");
        }

        return client;
    }

    public static System.Net.Http.Headers.AuthenticationHeaderValue BasicAuth(string username, string password) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{username}:{password}")));

    /// <param name="settings">Extra settings by their environment names, e.g. DELETE_ENABLED.</param>
    /// <param name="storagePath">A store to share with another server; a fresh temp directory when null.</param>
    public static async Task<RegistryServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, string? storagePath = null)
    {
        var ownsStorage = storagePath is null;
        storagePath ??= TempDirectory.Create("store");
        var primary = new Dictionary<string, string?>
        {
            ["SECRET"] = TestSecret,
            ["USERNAME"] = Username,
            ["PASSWORD"] = Password,
        };
        return await LaunchAsync(primary, settings, storagePath, ownsStorage);
    }

    /// <summary>The running host's services, for the rare test that must drive a background job directly.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>A pull-through cache of <paramref name="upstream"/>, anonymous to its own clients like the real node.</summary>
    public static async Task<RegistryServer> StartCacheAsync(Uri upstream, string? user, string? password, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var cache = new Dictionary<string, string?>
        {
            ["REMOTE_URL"] = upstream.ToString(),
            ["USER"] = user,
            ["PASSWORD"] = password,
            ["HOST"] = "manager-1.neon-registry-cache.cluster",
        };
        var server = await LaunchAsync(cache, settings, TempDirectory.Create("cache"), ownsStorage: true);
        server.Client.DefaultRequestHeaders.Authorization = null;
        return server;
    }

    private static async Task<RegistryServer> LaunchAsync(
        Dictionary<string, string?> modeSettings, IReadOnlyDictionary<string, string?>? overrides, string storagePath, bool ownsStorage)
    {
        modeSettings["STORAGE_PATH"] = storagePath;
        modeSettings["urls"] = "http://127.0.0.1:0";
        modeSettings["LOG_LEVEL"] = "warn";
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            modeSettings[key] = value;
        }

        var app = RegistryApp.Create([], modeSettings);
        await app.StartAsync();
        return new RegistryServer(app, storagePath, ownsStorage);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsStorage)
        {
            TempDirectory.Delete(StoragePath);
        }
    }
}
