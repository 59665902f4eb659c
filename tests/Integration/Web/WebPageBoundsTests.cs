using System.Net;
using System.Net.Http.Headers;
using System.Text;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration.Web;

/// <summary>What a page reads is bounded by what it shows, whatever a pushed (or, in a cache, fetched) manifest names.</summary>
public sealed class WebPageBoundsTests
{
    [Fact]
    public async Task RepositoryPage_ConfigOverOneMiB_IsNotReadForItsPlatform()
    {
        await using var server = await RegistryServer.StartAsync();
        var small = await server.Client.PushImageAsync("app", "small", 1);
        // A config that says it is an image config, padded past 1 MiB: a page must not read it into memory.
        var padding = new string(' ', 1024 * 1024);
        var config = Encoding.UTF8.GetBytes($$"""{"architecture":"arm64","os":"linux"{{padding}}}""");
        await server.Client.PushBlobAsync("app", config);
        var manifest = TestContent.Manifest(TestContent.OciManifest, TestContent.OciConfig, config, []);
        using (var put = await server.Client.PutManifestAsync("app", "big", TestContent.OciManifest, manifest))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/ui/repositories/app");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var page = await server.Client.SendAsync(request);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(small.Digest, html);
        Assert.Contains("linux/amd64", html);
        Assert.DoesNotContain("linux/arm64", html);
        Assert.Contains(TestContent.DigestOf(manifest), html);
    }
}
