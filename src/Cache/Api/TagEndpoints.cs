using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Api;

/// <summary>distribution-spec: Listing Tags.</summary>
internal sealed class TagEndpoints(TagStore tags)
{
    public IResult List(HttpContext http, V2Route route)
    {
        var name = route.Repository;
        var all = tags.ListOrNull(name);
        if (all is null)
        {
            return OciResults.Error(OciErrorCode.NameUnknown, $"repository '{name}' is not known to this registry", new { name = name.Value });
        }

        var page = Pagination.Page(http, all, $"/v2/{name}/tags/list");
        return TypedResults.Json(new { name = name.Value, tags = page });
    }
}
