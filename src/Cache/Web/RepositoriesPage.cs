using System.Globalization;
using System.Text;
using NeonRegistry.Api;
using NeonRegistry.Configuration;
using NeonRegistry.Oci;

namespace NeonRegistry.Web;

/// <summary>The front page: the repositories, searched by part of their name, a page at a time (the catalog's n/last).</summary>
internal sealed class RepositoriesPage(StoreOverview store, RegistryOptions options)
{
    private const int DefaultPageSize = 50;

    /// <summary>The rows a page shows: <c>n</c> when given (1 to 500), else 50.</summary>
    public static int PageSizeOf(IQueryCollection query) =>
        int.TryParse(query["n"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, 1, 500) : DefaultPageSize;

    public async Task<IResult> RenderAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        var search = ((string?)query["q"])?.Trim() ?? "";
        var size = PageSizeOf(query);
        var matching = store.Repositories().Where(name => name.Contains(search, StringComparison.OrdinalIgnoreCase)).ToList();
        var (page, more) = Pagination.Slice(matching, query["last"], size);

        var body = new StringBuilder();
        body.Append("<form class=\"search\" method=\"get\" action=\"/\" role=\"search\">")
            .Append("<input type=\"search\" name=\"q\" placeholder=\"Search repositories\" aria-label=\"Search repositories\" value=\"")
            .Append(Html.Text(search)).Append("\"><button type=\"submit\">Search</button></form>");
        body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{matching.Count} repositor{(matching.Count == 1 ? "y" : "ies")}")
            .Append(search.Length > 0 ? $" matching <q>{Html.Text(search)}</q>" : "").Append("</p>");
        if (page.Count > 0)
        {
            body.Append("<table id=\"repositories\"><thead><tr><th>Repository</th><th>Tags</th><th>Size</th><th>Updated</th></tr></thead><tbody>");
            foreach (var name in page)
            {
                var summary = await store.SummarizeAsync(RepositoryName.Parse(name), cancellationToken);
                body.Append("<tr><td data-label=\"Repository\"><a href=\"").Append(WebEndpoints.RepositoryPath).Append(Html.PathOf(name)).Append("\">")
                    .Append(Html.Text(name)).Append("</a></td>")
                    .Append(CultureInfo.InvariantCulture, $"<td class=\"num\" data-label=\"Tags\">{summary.TagCount}</td>")
                    .Append("<td class=\"num\" data-label=\"Size\">").Append(Html.Bytes(summary.Size)).Append("</td>")
                    .Append("<td data-label=\"Updated\">").Append(Html.Time(summary.Updated)).Append("</td></tr>");
            }

            body.Append("</tbody></table>");
        }

        if (more)
        {
            body.Append("<p class=\"pager\"><a rel=\"next\" href=\"/?q=").Append(Html.Url(search))
                .Append(CultureInfo.InvariantCulture, $"&amp;n={size}&amp;last=").Append(Html.Url(page[^1])).Append("\">Next page</a></p>");
        }

        return SmallBody.Text(Html.Page("Repositories", options.InstanceName, body.ToString()), Html.ContentType);
    }
}
