using System.Net;
using System.Net.Http.Headers;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>Ranges of blobs a cache is still fetching, and fills that fail before the client got a byte.</summary>
public sealed class PullThroughRangeTests
{
    [Fact]
    public async Task Range_BlobNotCached_Returns206FromTheOneDownload_AndHitsOfferRanges()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var blob = TestContent.RandomBytes(256 * 1024);
        var digest = await setup.Upstream.Client.PushBlobAsync("app", blob);
        using var headAtUpstream = await setup.Cache.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{digest}"));
        // About 0.4 s for the whole blob: both ranges are asked while it downloads.
        setup.Proxy.TrickleBytes = 32 * 1024;
        setup.Proxy.ResetCounts();

        var middle = setup.Cache.Client.SendAsync(RangeRequest(digest, new RangeHeaderValue(1000, 1999)));
        var tail = setup.Cache.Client.SendAsync(RangeRequest(digest, new RangeHeaderValue(null, 100)));
        using var middleResponse = await middle;
        using var tailResponse = await tail;
        var upstreamGets = setup.Proxy.Count("GET", $"/blobs/{digest}");
        using var hit = await setup.Cache.Client.GetAsync($"/v2/app/blobs/{digest}");
        using var headHit = await setup.Cache.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{digest}"));
        using var rangeHit = await setup.Cache.Client.SendAsync(RangeRequest(digest, new RangeHeaderValue(5, 9)));

        Assert.Equal(HttpStatusCode.PartialContent, middleResponse.StatusCode);
        Assert.Equal($"bytes 1000-1999/{blob.Length}", middleResponse.Content.Headers.ContentRange!.ToString());
        Assert.Equal(blob[1000..2000], await middleResponse.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("MISS", middleResponse.Header("X-Cache"));
        Assert.Equal("bytes", Assert.Single(middleResponse.Headers.AcceptRanges));
        Assert.Equal(HttpStatusCode.PartialContent, tailResponse.StatusCode);
        Assert.Equal(blob[^100..], await tailResponse.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, upstreamGets);
        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        Assert.StartsWith("HIT", hit.Header("X-Cache"));
        Assert.Equal("bytes", Assert.Single(hit.Headers.AcceptRanges));
        Assert.Equal("bytes", Assert.Single(headHit.Headers.AcceptRanges));
        Assert.Equal("bytes", Assert.Single(headAtUpstream.Headers.AcceptRanges));
        Assert.Equal(HttpStatusCode.PartialContent, rangeHit.StatusCode);
        Assert.Equal(blob[5..10], await rangeHit.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Range_BeyondTheBlob_WhileFetching_Returns416WithItsLength()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        var blob = TestContent.RandomBytes(64 * 1024);
        var digest = await setup.Upstream.Client.PushBlobAsync("app", blob);

        using var response = await setup.Cache.Client.SendAsync(RangeRequest(digest, new RangeHeaderValue(blob.Length, null)));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{blob.Length}", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task FillFailsBeforeAnyByteWasSent_Returns503NotADroppedConnection()
    {
        await using var setup = await PullThroughSetup.StartAsync();
        // One byte: it is held back until verified, so the client has nothing when the corrupt fill fails.
        var blob = new byte[] { 42 };
        var digest = await setup.Upstream.Client.PushBlobAsync("app", blob);
        setup.Proxy.CorruptBlobs = true;

        using var failed = await setup.Cache.Client.GetAsync($"/v2/app/blobs/{digest}");
        var message = await failed.Content.ReadAsStringAsync();
        setup.Proxy.CorruptBlobs = false;
        var retried = await setup.Cache.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal("UNAVAILABLE", await failed.ErrorCodeAsync());
        Assert.Contains(digest, message);
        Assert.StartsWith("MISS", failed.Header("X-Cache"));
        Assert.Equal(blob, retried);
    }

    private static HttpRequestMessage RangeRequest(string digest, RangeHeaderValue range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/app/blobs/{digest}");
        request.Headers.Range = range;
        return request;
    }
}
