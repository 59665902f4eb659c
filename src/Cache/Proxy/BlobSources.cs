using System.Runtime.CompilerServices;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Proxy;

/// <summary>
/// Where a cache fill gets its blob: from the digest's owner among the peers (which serves it from its store, or
/// fills it from the upstream once for the whole cluster), else from the next node in the ranking, else from the
/// upstream, so a peer outage never fails a pull the upstream could serve. A fill for a peer's request goes to the
/// upstream only: a peer request is never forwarded again.
/// </summary>
internal sealed partial class BlobSources(PeerCluster cluster, IHttpContextAccessor http, ILogger<BlobSources> logger)
{
    // The owner, then the next node: beyond that, the upstream is the quicker answer.
    private const int MaxPeersAsked = 2;

    private readonly ConditionalWeakTable<BlobIntake, Peer> _fillPeers = new();

    /// <summary>Whether the request being answered is a peer's (checked by <see cref="PeerRequestGuard"/>).</summary>
    public bool IsPeerRequest => PeerRequestGuard.IsPeerRequest(http.HttpContext);

    /// <summary>Asks for a blob where it should come from; runs on no client's cancellation token.</summary>
    /// <param name="forPeer">The fill is for a peer's request: only the upstream is asked.</param>
    /// <returns>The download and who sends it; null when the owner or the upstream does not have the blob.</returns>
    /// <exception cref="RegistryException">
    /// The upstream could not be asked, or rate-limits us (a peer's TOOMANYREQUESTS, its upstream's, is passed on);
    /// peers' other faults are never thrown.
    /// </exception>
    public async Task<BlobSource?> GetBlobOrNullAsync(UpstreamRepository upstream, RepositoryName name, Digest digest, bool forPeer, CancellationToken cancellationToken)
    {
        if (!forPeer)
        {
            foreach (var peer in cluster.RankedAbove(digest).Take(MaxPeersAsked))
            {
                try
                {
                    var blob = await peer.Repository(name).GetBlobOrNullAsync(digest, cancellationToken);
                    peer.Answered(blob is null ? "not_found" : "found");
                    // The owner asked the same upstream: its 404 is the upstream's.
                    return blob is null ? null : new BlobSource(
                        blob,
                        peer,
                        token => upstream.GetBlobOrNullAsync(digest, token),
                        e => LogResumed(logger, peer.Name, name.Value, digest.ToString(), e.Message));
                }
                catch (RegistryException e) when (e.Code == OciErrorCode.TooManyRequests)
                {
                    // The owner's upstream rate-limits the cluster: asking again elsewhere only spends more of the limit.
                    peer.Answered("rate_limited");
                    throw;
                }
                catch (RegistryException e)
                {
                    peer.Answered("failed");
                    peer.MarkDown(e.Message);
                    LogPeerFailed(logger, peer.Name, name.Value, digest.ToString(), e.Message);
                }
            }
        }

        return await upstream.GetBlobOrNullAsync(digest, cancellationToken) is { } download ? new BlobSource(download) : null;
    }

    /// <summary>Remembers that <paramref name="fill"/> comes from <paramref name="peer"/>, for the X-Cache of everyone who follows it.</summary>
    public void Started(BlobIntake fill, Peer? peer)
    {
        if (peer is not null)
        {
            _fillPeers.AddOrUpdate(fill, peer);
        }
    }

    /// <summary>The peer a fill comes from, by name; null for the upstream.</summary>
    public string? PeerOf(BlobIntake fill) => _fillPeers.TryGetValue(fill, out var peer) ? peer.Name : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer} broke off sending {Repository} {Digest}, continuing from the upstream: {Reason}")]
    private static partial void LogResumed(ILogger logger, string peer, string repository, string digest, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer} could not serve {Repository} {Digest}, asking the next node or the upstream: {Reason}")]
    private static partial void LogPeerFailed(ILogger logger, string peer, string repository, string digest, string reason);
}
