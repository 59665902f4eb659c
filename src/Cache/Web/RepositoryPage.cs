using System.Globalization;
using System.Text;
using NeonRegistry.Api;
using NeonRegistry.Configuration;
using NeonRegistry.Oci;

namespace NeonRegistry.Web;

/// <summary>One repository's tags: what each names, its platforms and size, the pull command, its referrers.</summary>
internal sealed class RepositoryPage(StoreOverview store, RegistryOptions options)
{
    public async Task<IResult> RenderAsync(HttpContext http, string name, CancellationToken cancellationToken)
    {
        if (!RepositoryName.TryParse(name, out var repository) || store.TagNamesOrNull(repository) is not { } all)
        {
            var missing = $"<p>No repository named <code>{Html.Text(name)}</code> is stored here. <a href=\"/\">All repositories</a></p>";
            return SmallBody.Text(Html.Page("Not found", options.InstanceName, missing), Html.ContentType, statusCode: StatusCodes.Status404NotFound);
        }

        var query = http.Request.Query;
        var size = RepositoriesPage.PageSizeOf(query);
        // Only the page's tags are read: a repository of many thousand tags costs one page of them.
        var (page, more) = Pagination.Slice(all, query["last"], size);
        // What a client names this registry by: the address the browser used, behind a proxy too.
        var registry = http.Request.Host.Value;

        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{all.Count} tag{(all.Count == 1 ? "" : "s")}</p>");
        body.Append("<table id=\"tags\"><thead><tr><th>Tag</th><th>Digest</th><th>Platforms</th><th>Size</th><th>Updated</th><th>Pull</th><th>Referrers and annotations</th></tr></thead><tbody>");
        foreach (var tag in await store.SummarizeTagsAsync(repository, page, cancellationToken))
        {
            body.Append("<tr><td data-label=\"Tag\" class=\"tag\">").Append(Html.Text(tag.Tag)).Append("</td>")
                .Append("<td data-label=\"Digest\"><span class=\"digest\" title=\"").Append(Html.Text(tag.MediaType)).Append("\">")
                .Append(Html.Text(tag.Digest.ToString())).Append("</span></td>")
                .Append("<td data-label=\"Platforms\" class=\"platforms\">").Append(tag.Platforms.Count == 0 ? "-" : Html.Text(string.Join(", ", tag.Platforms))).Append("</td>")
                .Append("<td class=\"num\" data-label=\"Size\">").Append(Html.Bytes(tag.Size)).Append("</td>")
                .Append("<td data-label=\"Updated\">").Append(Html.Time(tag.Updated)).Append("</td>")
                .Append("<td data-label=\"Pull\"><code class=\"pull\">docker pull ").Append(Html.Text($"{registry}/{repository}:{tag.Tag}")).Append("</code></td>")
                .Append("<td data-label=\"Referrers\">").Append(Details(tag)).Append("</td></tr>");
        }

        body.Append("</tbody></table>");
        if (more)
        {
            body.Append("<p class=\"pager\"><a rel=\"next\" href=\"").Append(WebEndpoints.RepositoryPath).Append(Html.PathOf(repository.Value))
                .Append(CultureInfo.InvariantCulture, $"?n={size}&amp;last=").Append(Html.Url(page[^1])).Append("\">Next page</a></p>");
        }

        return SmallBody.Text(Html.Page(repository.Value, options.InstanceName, body.ToString()), Html.ContentType);
    }

    private static string Details(TagSummary tag)
    {
        if (tag.Referrers.Count == 0 && tag.Annotations.Count == 0)
        {
            return "-";
        }

        var list = new StringBuilder("<ul class=\"plain\">");
        foreach (var referrer in tag.Referrers)
        {
            list.Append("<li class=\"referrer\">").Append(Html.Text(referrer.ArtifactType ?? referrer.MediaType))
                .Append(" <span class=\"digest\">").Append(Html.Text(referrer.Digest)).Append("</span></li>");
        }

        foreach (var (key, value) in tag.Annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            list.Append("<li class=\"annotation\"><span class=\"muted\">").Append(Html.Text(key)).Append(":</span> ").Append(Html.Text(value)).Append("</li>");
        }

        return list.Append("</ul>").ToString();
    }
}
