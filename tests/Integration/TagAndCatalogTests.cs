using System.Net;
using System.Text.Json;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

public sealed class TagAndCatalogTests
{
    [Fact]
    public async Task TagsList_ReturnsSortedTags()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "b");
        foreach (var tag in new[] { "a", "C", "a1" })
        {
            using var put = await server.Client.PutManifestAsync("app", tag, TestContent.OciManifest, image.Manifest);
        }

        var body = await server.Client.GetStringAsync("/v2/app/tags/list");

        Assert.Equal("{\"name\":\"app\",\"tags\":[\"C\",\"a\",\"a1\",\"b\"]}", body);
    }

    [Fact]
    public async Task TagsList_Paginated_FollowsLinkToTheEnd()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "t0");
        for (var i = 1; i < 5; i++)
        {
            using var put = await server.Client.PutManifestAsync("app", $"t{i}", TestContent.OciManifest, image.Manifest);
        }

        var seen = new List<string>();
        var next = "/v2/app/tags/list?n=2";
        var pages = 0;
        while (next is not null)
        {
            using var response = await server.Client.GetAsync(next);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var tags = json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();
            Assert.True(tags.Count <= 2);
            seen.AddRange(tags);
            pages++;
            next = response.Headers.TryGetValues("Link", out var link) ? link.Single().Split('>')[0].TrimStart('<') : null;
        }

        Assert.Equal(["t0", "t1", "t2", "t3", "t4"], seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task TagsList_LastWithoutN_ReturnsRest()
    {
        await using var server = await RegistryServer.StartAsync();
        var image = await server.Client.PushImageAsync("app", "a");
        using var b = await server.Client.PutManifestAsync("app", "b", TestContent.OciManifest, image.Manifest);
        using var c = await server.Client.PutManifestAsync("app", "c", TestContent.OciManifest, image.Manifest);

        using var response = await server.Client.GetAsync("/v2/app/tags/list?last=a");

        Assert.Equal("{\"name\":\"app\",\"tags\":[\"b\",\"c\"]}", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("Link"));
    }

    [Fact]
    public async Task TagsList_UnknownRepository_Returns404NameUnknown()
    {
        await using var server = await RegistryServer.StartAsync();

        using var response = await server.Client.GetAsync("/v2/nothing/here/tags/list");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await response.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("ten")]
    public async Task TagsList_BadN_Returns400PaginationNumberInvalid(string n)
    {
        await using var server = await RegistryServer.StartAsync();
        await server.Client.PushImageAsync("app", "a");

        using var response = await server.Client.GetAsync($"/v2/app/tags/list?n={n}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("PAGINATION_NUMBER_INVALID", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task Catalog_ListsNestedRepositoriesSortedAndPaginated()
    {
        await using var server = await RegistryServer.StartAsync();
        foreach (var name in new[] { "zeta", "team/app", "team/app/sub", "alpha" })
        {
            await server.Client.PushImageAsync(name, "v1", 1);
        }

        await server.Client.PushBlobAsync("blobs-only", TestContent.RandomBytes(10));

        var all = await server.Client.GetStringAsync("/v2/_catalog");
        using var first = await server.Client.GetAsync("/v2/_catalog?n=2");
        var link = first.Header("Link");
        var second = await server.Client.GetStringAsync("/v2/_catalog?n=2&last=team/app");

        Assert.Equal("{\"repositories\":[\"alpha\",\"team/app\",\"team/app/sub\",\"zeta\"]}", all);
        Assert.Equal("{\"repositories\":[\"alpha\",\"team/app\"]}", await first.Content.ReadAsStringAsync());
        Assert.Equal("</v2/_catalog?n=2&last=team%2Fapp>; rel=\"next\"", link);
        Assert.Equal("{\"repositories\":[\"team/app/sub\",\"zeta\"]}", second);
    }

    [Fact]
    public async Task Base_ReturnsApiVersionHeader()
    {
        await using var server = await RegistryServer.StartAsync();

        using var slash = await server.Client.GetAsync("/v2/");
        using var bare = await server.Client.GetAsync("/v2");

        Assert.Equal(HttpStatusCode.OK, slash.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bare.StatusCode);
        Assert.Equal("registry/2.0", slash.Header("Docker-Distribution-API-Version"));
    }
}
