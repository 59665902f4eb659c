using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// A server posing as a peer node that hangs mid-blob: it answers <c>GET /v2/</c>, and a GET of
/// <see cref="Blob"/> with its whole length announced but only the first half sent, then keeps the connection
/// open and sends nothing more (a node hung on a stalled disk or upstream), until the asker gives up.
/// </summary>
public sealed class StallingPeer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _started;

    private StallingPeer(WebApplication app) => _app = app;

    public Uri BaseAddress => LoopbackApp.AddressOf(_app);

    /// <summary>The blob this node half-sends; any other is answered 404.</summary>
    public byte[] Blob { get; set; } = [];

    /// <summary>How many blob bodies it began to send.</summary>
    public int BlobsStarted => _started;

    public static async Task<StallingPeer> StartAsync()
    {
        var app = LoopbackApp.Create();
        var peer = new StallingPeer(app);
        app.Run(peer.HandleAsync);
        await app.StartAsync();
        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var blob = Blob;
        if (http.Request.Path == "/v2/")
        {
            return;
        }

        if (!HttpMethods.IsGet(http.Request.Method) || !http.Request.Path.Value!.EndsWith("/blobs/" + TestContent.DigestOf(blob), StringComparison.Ordinal))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        Interlocked.Increment(ref _started);
        http.Response.ContentType = "application/octet-stream";
        http.Response.ContentLength = blob.Length;
        http.Response.Headers["Docker-Content-Digest"] = TestContent.DigestOf(blob);
        await http.Response.Body.WriteAsync(blob.AsMemory(0, blob.Length / 2), http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
        try
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The asker gave up on this node, as it should.
        }
    }
}
