using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// Closing an upload with its last chunk in the PUT (distribution-spec, Pushing a blob in chunks; the next version
/// makes a final chunk out of order a MUST 416).
/// </summary>
public sealed class UploadCloseTests
{
    [Theory]
    [InlineData(500)]
    [InlineData(1500)]
    public async Task Put_FinalChunkOutOfOrder_Returns416WithRangeAndCommitsNothing(int start)
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(2000);
        var digest = TestContent.DigestOf(content);
        using var started = await server.Client.PostAsync("/v2/app/blobs/uploads/", null);
        var first = RegistryApi.Octets(content, 0, 1000);
        first.Headers.TryAddWithoutValidation("Content-Range", "0-999");
        using var patch = await server.Client.PatchAsync(started.Headers.Location!.OriginalString, first);
        var location = patch.Headers.Location!.OriginalString;

        var last = RegistryApi.Octets(content, start, 2000 - start);
        last.Headers.TryAddWithoutValidation("Content-Range", $"{start}-1999");
        using var put = await server.Client.PutAsync($"{location}&digest={digest}", last);
        using var blob = await server.Client.GetAsync($"/v2/app/blobs/{digest}");
        var rest = RegistryApi.Octets(content, 1000, 1000);
        rest.Headers.TryAddWithoutValidation("Content-Range", "1000-1999");
        using var resumed = await server.Client.PutAsync($"{put.Headers.Location!.OriginalString}&digest={digest}", rest);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, put.StatusCode);
        Assert.Equal("0-999", put.Header("Range"));
        Assert.Equal(HttpStatusCode.NotFound, blob.StatusCode);
        Assert.Equal(HttpStatusCode.Created, resumed.StatusCode);
        Assert.Equal(content, await server.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}"));
    }
}
