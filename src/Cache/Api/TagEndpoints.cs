using NeonRegistry.Oci;
using NeonRegistry.Content;

namespace NeonRegistry.Api;

/// <summary>distribution-spec: Listing Tags.</summary>
internal sealed class TagEndpoints(IContentSource content, CacheHeaders cacheHeaders)
{
    public async Task<IResult> ListAsync(HttpContext http, V2Route route, CancellationToken cancellationToken)
    {
        var name = route.Repository;
        var listed = await content.ListTagsOrNullAsync(name, cancellationToken);
        if (listed is null)
        {
            return OciResults.Error(OciErrorCode.NameUnknown, $"repository '{name}' is not known to this registry", new Dictionary<string, string> { ["name"] = name.Value });
        }

        cacheHeaders.Write(http, listed.Status);
        var page = Pagination.Page(http, listed.Tags, $"/v2/{name}/tags/list");
        return SmallBody.Json(new TagList(name.Value, page), RegistryJsonContext.Default.TagList);
    }
}
