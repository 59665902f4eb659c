using NeonRegistry.Metrics;

namespace NeonRegistry.Proxy;

/// <summary>
/// A blob on its way into a fill, from the upstream or from a peer. A peer's body that breaks off or stalls (the node
/// was stopped, lost or hung mid-download) is continued from the upstream at the same offset, so a peer lost mid-download
/// fails no pull the upstream could serve; the fill still verifies every byte against the digest. Disposing ends
/// the download.
/// </summary>
internal sealed class BlobSource : IDisposable
{
    private readonly Func<CancellationToken, Task<UpstreamBlob?>>? _resume;
    private readonly Action<Exception>? _resumed;
    private ResumingBody? _body;

    public BlobSource(UpstreamBlob blob) => Blob = blob;

    /// <param name="resume">GETs the whole blob from the upstream, for a body that broke off.</param>
    /// <param name="resumed">Told why, when the peer's body broke off and the upstream continues it.</param>
    public BlobSource(UpstreamBlob blob, Peer peer, Func<CancellationToken, Task<UpstreamBlob?>> resume, Action<Exception> resumed)
    {
        Blob = blob;
        Peer = peer;
        _resume = resume;
        _resumed = resumed;
    }

    public UpstreamBlob Blob { get; }

    /// <summary>The peer sending the blob; null for the upstream.</summary>
    public Peer? Peer { get; }

    /// <summary>Who sent the blob, for the log.</summary>
    public string Name => Peer is null ? "the upstream" : _body?.Resumed == true ? $"{Peer.Name}, then the upstream" : Peer.Name;

    /// <param name="stopping">Bounds a continuation from the upstream (which is not one read, so not under the fill's idle timeout).</param>
    public async Task<Stream> OpenBodyAsync(CancellationToken stopping)
    {
        var body = await Blob.OpenBodyAsync(stopping);
        return _resume is null ? body : _body = new ResumingBody(body, _resume, _resumed!, Peer!.Client.Options.RequestTimeout, stopping);
    }

    /// <summary>Counts the kept blob's bytes where they came from: the upstream, or the peer.</summary>
    public void Kept(long length, CacheMetrics metrics)
    {
        var fromPeer = Peer is null ? 0 : _body?.PeerBytes ?? length;
        metrics.Fetched(length - fromPeer);
        Peer?.Fetched(fromPeer);
    }

    public void Dispose()
    {
        _body?.Dispose();
        Blob.Dispose();
    }
}
