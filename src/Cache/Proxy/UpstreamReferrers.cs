using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// The referrers of a subject as the upstream knows them (distribution-spec: Listing Referrers), every page of
/// them. An upstream without the referrers API (distribution 2.8, for one, answers 404) is read the way clients
/// read it: from the index tagged with the subject's digest, <c>&lt;alg&gt;-&lt;hex&gt;</c> (the referrers tag schema).
/// </summary>
internal static class UpstreamReferrers
{
    // A bound on a misbehaving upstream whose "next" never ends.
    private const int MaxPages = 100;

    /// <returns>The referrers' descriptors; empty when the upstream knows none.</returns>
    /// <exception cref="RegistryException">As <see cref="UpstreamResponses.IsFound"/>; MANIFEST_INVALID for a body that is not an index.</exception>
    public static async Task<IReadOnlyList<Descriptor>> FetchAsync(
        UpstreamClient upstream, string upstreamName, string repository, Digest subject, CancellationToken cancellationToken)
    {
        var referrers = new List<Descriptor>();
        string? query = "";
        for (var page = 0; query is not null && page < MaxPages; page++)
        {
            using var response = await upstream.SendAsync(HttpMethod.Get, upstreamName, $"referrers/{subject}{query}", MediaTypes.OciIndex, cancellationToken);
            if (!UpstreamResponses.IsFound(response, upstream, repository))
            {
                return page == 0 ? await FetchTaggedIndexAsync(upstream, upstreamName, repository, subject, cancellationToken) : referrers;
            }

            referrers.AddRange(await ReadIndexAsync(response, upstream, cancellationToken));
            query = UpstreamResponses.NextPageQuery(response);
        }

        return referrers;
    }

    private static async Task<IReadOnlyList<Descriptor>> FetchTaggedIndexAsync(
        UpstreamClient upstream, string upstreamName, string repository, Digest subject, CancellationToken cancellationToken)
    {
        using var tagged = await upstream.SendAsync(HttpMethod.Get, upstreamName, $"manifests/{SchemaTag(subject)}", MediaTypes.OciIndex, cancellationToken);
        return UpstreamResponses.IsFound(tagged, upstream, repository) ? await ReadIndexAsync(tagged, upstream, cancellationToken) : [];
    }

    /// <summary>
    /// distribution-spec, Referrers Tag Schema: the algorithm, '-', and the hex truncated to 64 characters, so a
    /// sha512 subject's tag stays within the 128 characters a tag may have (v1.1 gave no length for sha512).
    /// </summary>
    public static string SchemaTag(Digest subject) => $"{subject.Algorithm}-{subject.Hex[..Math.Min(64, subject.Hex.Length)]}";

    private static async Task<IReadOnlyList<Descriptor>> ReadIndexAsync(HttpResponseMessage response, UpstreamClient upstream, CancellationToken cancellationToken)
    {
        var content = await UpstreamResponses.ReadManifestAsync(response, upstream, cancellationToken);
        var index = ManifestDocument.Parse(content, MediaTypes.OciIndex);
        // Passed on to clients: an entry without a well-formed digest is the upstream's error, not theirs to parse.
        return [.. index.Manifests.Where(d => Digest.TryParse(d.Digest, out _))];
    }
}
