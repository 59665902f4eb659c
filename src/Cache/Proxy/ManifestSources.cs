using NeonRegistry.Content;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// Whom a cache asks about a manifest it must fetch or a tag it must confirm: the owner of <c>name:tag</c> (or
/// <c>name@digest</c>) among the peers, which answers within its own freshness window, so the cluster asks the
/// upstream once per window rather than once per node; then the next node; then the upstream. A peer's request
/// is answered from the store or the upstream only.
/// </summary>
internal sealed partial class ManifestSources(PeerCluster cluster, IHttpContextAccessor http, ILogger<ManifestSources> logger)
{
    private const int MaxPeersAsked = 2;

    /// <summary>Whether the request being answered is a peer's: then only the upstream may be asked.</summary>
    public bool IsPeerRequest => PeerRequestGuard.IsPeerRequest(http.HttpContext);

    /// <summary>Runs <paramref name="call"/> against the owner of <paramref name="reference"/>, the next node, then the upstream.</summary>
    /// <param name="forPeer">For a peer's request: the upstream only.</param>
    /// <returns>What <paramref name="call"/> returned, naming the peer it asked, if any.</returns>
    /// <exception cref="RegistryException">
    /// The upstream's fault, or a peer's TOOMANYREQUESTS (its upstream's, passed on); a peer's other faults only move the call on.
    /// </exception>
    public async Task<ManifestContent?> AskAsync(UpstreamRepository upstream, RepositoryName name, string reference, bool forPeer, Func<UpstreamRepository, Task<ManifestContent?>> call)
    {
        if (!forPeer)
        {
            var key = Digest.TryParse(reference, out _) ? $"{name}@{reference}" : $"{name}:{reference}";
            foreach (var peer in cluster.RankedAbove(key).Take(MaxPeersAsked))
            {
                try
                {
                    return await call(peer.Repository(name)) is { } answer ? answer with { Via = peer.Name } : null;
                }
                catch (RegistryException e) when (e.Code == OciErrorCode.TooManyRequests)
                {
                    // The owner's upstream rate-limits the cluster: asking again elsewhere only spends more of the limit.
                    throw;
                }
                catch (RegistryException e)
                {
                    peer.MarkDown(e.Message);
                    LogPeerFailed(logger, peer.Name, name.Value, reference, e.Message);
                }
            }
        }

        return await call(upstream);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer} could not answer for manifest {Repository} {Reference}, asking the next node or the upstream: {Reason}")]
    private static partial void LogPeerFailed(ILogger logger, string peer, string repository, string reference, string reason);
}
