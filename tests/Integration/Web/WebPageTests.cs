using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration.Web;

/// <summary>The operators' pages in a real browser: what they show against what was pushed, escaped, logged in.</summary>
[Collection(ChromiumBrowser.Collection)]
public sealed class WebPageTests(ChromiumBrowser chromium)
{
    private const string Markup = "<script>document.title='owned'</script><img src=x onerror=\"document.title='owned'\">";

    [SkippableFact]
    public async Task Repositories_LoggedIn_ListsSearchesAndOpensWhatWasPushed()
    {
        await using var server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["HOST"] = "registry-ui-1" });
        var app = await server.Client.PushImageAsync("team/app", "v1");
        await PushAnnotatedAsync(server.Client, "team/app", "annotated", app, Markup);
        var amd64 = await server.Client.PushImageAsync("team/app", "amd64");
        var arm64 = await PushArm64Async(server.Client, "team/app");
        var index = TestContent.Index(TestContent.OciIndex, [(TestContent.OciManifest, amd64.Manifest, "amd64"), (TestContent.OciManifest, arm64, "arm64")]);
        using (var put = await server.Client.PutManifestAsync("team/app", "multi", TestContent.OciIndex, index))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var sbom = await server.Client.PushImageAsync("team/app", "sbom", 1, subject: TestContent.Descriptor(TestContent.OciManifest, app.Manifest), artifactType: "application/vnd.example.sbom+json");
        await server.Client.PushImageAsync("tools/kit", "1.0");
        await using var context = await chromium.NewContextAsync(server.BaseAddress);
        var page = await context.NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };

        var front = await page.GotoAsync("/");
        await ChromiumBrowser.ScreenshotAsync(page, "repositories");
        var rows = await page.Locator("#repositories tbody tr").AllInnerTextsAsync();
        Assert.Equal(HttpStatusCode.OK, (HttpStatusCode)front!.Status);
        Assert.Equal(["team/app", "tools/kit"], rows.Select(r => r.Split('\t')[0].Trim()));
        Assert.Contains("5", rows[0].Split('\t')[1]);
        Assert.Contains("registry-ui-1", await page.Locator("header").InnerTextAsync());

        await page.FillAsync("input[name=q]", "kit");
        await page.ClickAsync("button[type=submit]");
        Assert.Equal(["tools/kit"], (await page.Locator("#repositories tbody tr td:first-child").AllInnerTextsAsync()).Select(r => r.Trim()));

        await page.GotoAsync("/");
        await page.ClickAsync("text=team/app");
        await ChromiumBrowser.ScreenshotAsync(page, "repository");
        var tags = page.Locator("#tags tbody tr");
        Assert.Equal(["amd64", "annotated", "multi", "sbom", "v1"], (await page.Locator("#tags td.tag").AllInnerTextsAsync()).Select(t => t.Trim()));
        var v1 = tags.Filter(new LocatorFilterOptions { HasText = app.Digest });
        Assert.Contains($"docker pull {server.BaseAddress.Authority}/team/app:v1", await v1.First.InnerTextAsync());
        Assert.Contains("linux/amd64", await v1.First.Locator(".platforms").InnerTextAsync());
        Assert.Contains("application/vnd.example.sbom+json", await v1.First.InnerTextAsync());
        Assert.Contains(sbom.Digest, await v1.First.InnerTextAsync());
        var multi = tags.Filter(new LocatorFilterOptions { HasText = "multi" });
        Assert.Equal("linux/amd64, linux/arm64", (await multi.Locator(".platforms").InnerTextAsync()).Trim());
        // The annotation is shown as the text it is: no element made of it, nothing of it ran.
        var annotated = tags.Filter(new LocatorFilterOptions { HasText = "annotated" });
        Assert.Contains(Markup, await annotated.Locator(".annotation").InnerTextAsync());
        Assert.Equal(0, await page.Locator("main script, main img").CountAsync());
        Assert.Equal("team/app - neon-registry", await page.TitleAsync());
        Assert.Equal(0, dialogs);
    }

    [SkippableFact]
    public async Task Repositories_ManyRepositories_PaginateWithTheCatalogsNAndLast()
    {
        await using var server = await RegistryServer.StartAsync();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await server.Client.PushImageAsync(name, "v1", 1);
        }

        await using var context = await chromium.NewContextAsync(server.BaseAddress);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/?n=2");
        var first = await page.Locator("#repositories td:first-child").AllInnerTextsAsync();
        await page.ClickAsync("a[rel=next]");
        var second = await page.Locator("#repositories td:first-child").AllInnerTextsAsync();

        Assert.Equal(["a", "b"], first.Select(r => r.Trim()));
        Assert.Equal(["c"], second.Select(r => r.Trim()));
        Assert.Equal(0, await page.Locator("a[rel=next]").CountAsync());
    }

    [SkippableFact]
    public async Task Pages_OnAPhonesWidth_NeedNoSidewaysScrolling()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("a-rather-long-team-name/with-a-long-repository-name", "2026.12.01-release-candidate");
        await using var context = await chromium.NewContextAsync(server.BaseAddress, width: 375);
        var page = await context.NewPageAsync();

        foreach (var path in new[] { "/", "/ui/repositories/a-rather-long-team-name/with-a-long-repository-name", "/ui/status" })
        {
            await page.GotoAsync(path);
            var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{path} is {overflow} px wider than a 375 px screen");
        }

        await ChromiumBrowser.ScreenshotAsync(page, "status-phone");
        await page.GotoAsync("/ui/repositories/a-rather-long-team-name/with-a-long-repository-name");
        await ChromiumBrowser.ScreenshotAsync(page, "repository-phone");
        Assert.Contains(image.Digest, await page.Locator("#tags").InnerTextAsync());
    }

    [SkippableFact]
    public async Task Status_CacheMode_ShowsUpstreamHitsAndStoreUse()
    {
        await using var upstream = await RegistryServer.StartAsync();
        var image = await upstream.Client.PushImageAsync("library/app", "v1", 1);
        await using var cache = await RegistryServer.StartCacheAsync(upstream.BaseAddress, RegistryServer.Username, RegistryServer.Password);
        foreach (var _ in Enumerable.Range(0, 2))
        {
            using var layer = await cache.Client.GetAsync($"/v2/library/app/blobs/{TestContent.DigestOf(image.Layers[0])}");
            Assert.Equal(HttpStatusCode.OK, layer.StatusCode);
        }

        await using var context = await chromium.NewContextAsync(cache.BaseAddress, loggedIn: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/ui/status");
        await ChromiumBrowser.ScreenshotAsync(page, "status-cache");
        var status = await page.Locator("#status").InnerTextAsync();

        Assert.Contains("manager-1.neon-registry-cache.cluster", status);
        Assert.Contains($"pull-through cache of {upstream.BaseAddress}", status);
        Assert.Contains("50% of 2 pulls", status);
        Assert.Contains($"Bytes fetched from the upstream\t{Commands.ByteSize.Format(image.Layers[0].Length)}", status);
        Assert.Contains("of 100.0 GiB (CACHE_SIZE_LIMIT)", status);
        Assert.Contains($"Check: upstream {upstream.Authority}\thealthy", status);
    }

    [Fact]
    public async Task Front_WithoutLogin_IsChallengedAndWithoutHtml_AnswersAsTheApiDid()
    {
        await using var server = await RegistryServer.StartAsync();
        using var anonymous = server.CreateClient();
        using var browser = new HttpRequestMessage(HttpMethod.Get, "/");
        browser.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        using var refused = await anonymous.SendAsync(browser);
        using var api = await server.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("Basic", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("NOT_FOUND", await api.ErrorCodeAsync());
    }

    private static async Task PushAnnotatedAsync(HttpClient client, string repository, string tag, PushedImage image, string annotation)
    {
        var manifest = TestContent.Json(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = TestContent.OciManifest,
            ["config"] = TestContent.Descriptor(TestContent.OciConfig, image.Config),
            ["layers"] = image.Layers.Select(l => TestContent.Descriptor(TestContent.OciLayer, l)).ToArray(),
            ["annotations"] = new Dictionary<string, string> { ["org.example.note"] = annotation },
        });
        using var put = await client.PutManifestAsync(repository, tag, TestContent.OciManifest, manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    private static async Task<byte[]> PushArm64Async(HttpClient client, string repository)
    {
        var (layer, diffId) = TestContent.RandomLayer(512);
        var config = TestContent.Config([diffId], "arm64");
        await client.PushBlobAsync(repository, layer);
        await client.PushBlobAsync(repository, config);
        var manifest = TestContent.Manifest(TestContent.OciManifest, TestContent.OciConfig, config, [(TestContent.OciLayer, layer)]);
        using var put = await client.PutManifestAsync(repository, TestContent.DigestOf(manifest), TestContent.OciManifest, manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return manifest;
    }
}
