using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// The real registry host on a loopback port, with its own temp store and settings passed in memory (never
/// through the process environment, since tests run in parallel).
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    public const string TestSecret = "test-secret-0123456789abcdef0123456789";

    private readonly WebApplication _app;
    private readonly bool _ownsStorage;

    private RegistryServer(WebApplication app, string storagePath, bool ownsStorage)
    {
        _app = app;
        StoragePath = storagePath;
        _ownsStorage = ownsStorage;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    public Uri BaseAddress { get; }

    /// <summary>host:port, as skopeo and other registry clients name the registry.</summary>
    public string Authority => BaseAddress.Authority;

    public string StoragePath { get; }

    public HttpClient Client { get; }

    /// <param name="settings">Extra settings by their environment names, e.g. DELETE_ENABLED.</param>
    /// <param name="storagePath">A store to share with another server; a fresh temp directory when null.</param>
    public static async Task<RegistryServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, string? storagePath = null)
    {
        var ownsStorage = storagePath is null;
        storagePath ??= TempDirectory.Create("store");
        var all = new Dictionary<string, string?>
        {
            ["STORAGE_PATH"] = storagePath,
            ["SECRET"] = TestSecret,
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = RegistryApp.Create([], all);
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
