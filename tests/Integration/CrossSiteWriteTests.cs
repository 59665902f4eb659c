using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>A browser holding the registry's login (from its web pages) cannot be made to push by another site.</summary>
public sealed class CrossSiteWriteTests
{
    [Theory]
    [InlineData("Origin", "http://attacker.example")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task Write_FromAnotherSitesPage_Returns403DeniedAndStartsNothing(string header, string value)
    {
        await using var server = await RegistryServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/app/blobs/uploads/");
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("DENIED", await response.ErrorCodeAsync());
        Assert.False(Directory.Exists(Path.Combine(server.StoragePath, "uploads")) && Directory.EnumerateDirectories(Path.Combine(server.StoragePath, "uploads")).Any());
    }

    [Fact]
    public async Task Write_FromItsOwnPageOrARegistryClient_IsAccepted()
    {
        await using var server = await RegistryServer.StartAsync();
        using var own = new HttpRequestMessage(HttpMethod.Post, "/v2/app/blobs/uploads/");
        own.Headers.TryAddWithoutValidation("Origin", server.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var client = new HttpRequestMessage(HttpMethod.Post, "/v2/app/blobs/uploads/");

        using var fromOwnPage = await server.Client.SendAsync(own);
        using var fromClient = await server.Client.SendAsync(client);
        using var crossSiteRead = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { { "Sec-Fetch-Site", "cross-site" } } });

        Assert.Equal(HttpStatusCode.Accepted, fromOwnPage.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, fromClient.StatusCode);
        Assert.Equal(HttpStatusCode.OK, crossSiteRead.StatusCode);
    }
}
