using NeonRegistry.Oci;
using NeonRegistry.Content;

namespace NeonRegistry.Api;

/// <summary>distribution-spec: Listing Tags.</summary>
internal sealed class TagEndpoints(IContentSource content)
{
    public async Task<IResult> ListAsync(HttpContext http, V2Route route, CancellationToken cancellationToken)
    {
        var name = route.Repository;
        var all = await content.ListTagsOrNullAsync(name, cancellationToken);
        if (all is null)
        {
            return OciResults.Error(OciErrorCode.NameUnknown, $"repository '{name}' is not known to this registry", new Dictionary<string, string> { ["name"] = name.Value });
        }

        var page = Pagination.Page(http, all, $"/v2/{name}/tags/list");
        return TypedResults.Json(new TagList(name.Value, page), RegistryJsonContext.Default.TagList);
    }
}
