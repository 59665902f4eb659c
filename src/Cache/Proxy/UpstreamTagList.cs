using System.Text.Json;

namespace NeonRegistry.Proxy;

/// <summary>
/// A repository's tags as the upstream lists them, every page of them (distribution-spec: Listing Tags): pages
/// are asked for at their largest and followed by their <c>Link: &lt;…&gt;; rel="next"</c> header.
/// </summary>
internal static class UpstreamTagList
{
    private const int PageSize = 1000;

    // A bound on a misbehaving upstream whose "next" never ends: a hundred thousand tags.
    private const int MaxPages = 100;

    /// <returns>The tags in ordinal order, or null when the upstream does not have the repository.</returns>
    public static async Task<IReadOnlyList<string>?> FetchAsync(UpstreamClient upstream, string upstreamName, string repository, CancellationToken cancellationToken)
    {
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        string? query = $"?n={PageSize}";
        for (var page = 0; query is not null && page < MaxPages; page++)
        {
            using var response = await upstream.SendAsync(HttpMethod.Get, upstreamName, "tags/list" + query, "application/json", cancellationToken);
            if (!UpstreamResponses.IsFound(response, upstream, repository))
            {
                // Gone between two pages: what was listed so far is still what the upstream held.
                return page == 0 ? null : tags.ToList();
            }

            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            if (json.RootElement.TryGetProperty("tags", out var array) && array.ValueKind == JsonValueKind.Array)
            {
                tags.UnionWith(array.EnumerateArray().Select(t => t.GetString()).OfType<string>());
            }

            query = UpstreamResponses.NextPageQuery(response);
        }

        return tags.ToList();
    }
}
