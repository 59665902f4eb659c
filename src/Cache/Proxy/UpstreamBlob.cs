namespace NeonRegistry.Proxy;

/// <summary>A blob the upstream is sending: its announced length and its body, read once. Disposing ends the download.</summary>
internal sealed class UpstreamBlob(HttpResponseMessage response) : IDisposable
{
    /// <summary>The length the upstream announced, when it announced one.</summary>
    public long? Length => response.Content.Headers.ContentLength;

    public Task<Stream> OpenBodyAsync(CancellationToken cancellationToken) => response.Content.ReadAsStreamAsync(cancellationToken);

    public void Dispose() => response.Dispose();
}
