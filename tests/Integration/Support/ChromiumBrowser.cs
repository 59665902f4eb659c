using Microsoft.Playwright;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// Debian's headless Chromium, driven by Playwright, started once for every class in <see cref="Collection"/>.
/// Playwright cannot download a browser here, so it is pointed at the installed one; without it, tests skip.
/// </summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    public const string Collection = "chromium";
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser? Browser { get; private set; }

    public string? SkipReason { get; private set; }

    /// <summary>Where each page's screenshot is kept, as the run's artefact.</summary>
    public static string ScreenshotDirectory => RepositoryRoot.File("TestResults/screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            SkipReason = $"no {ExecutablePath}: install Debian's chromium (scripts/test.sh does)";
            return;
        }

        _playwright = await Playwright.CreateAsync();
        // As root, without a sandbox; without the background services that would try to reach the internet.
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    /// <summary>A fresh browser profile logged in with the registry's login (HTTP basic, as the API asks).</summary>
    public Task<IBrowserContext> NewContextAsync(Uri baseAddress, bool loggedIn = true, int width = 1280) =>
        RequireBrowser().NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
            HttpCredentials = loggedIn ? new HttpCredentials { Username = RegistryServer.Username, Password = RegistryServer.Password } : null,
        });

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    private IBrowser RequireBrowser()
    {
        Skip.If(SkipReason is not null, SkipReason);
        return Browser!;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(ChromiumBrowser.Collection)]
public sealed class ChromiumBrowserCollection : ICollectionFixture<ChromiumBrowser>;
