using NeonRegistry.Storage;

namespace NeonRegistry.Api;

/// <summary>The <c>/v2/_catalog</c> listing of Docker's registry API, paginated like the tags list.</summary>
internal sealed class CatalogEndpoints(RepositoryCatalog catalog)
{
    public IResult List(HttpContext http)
    {
        var page = Pagination.Page(http, catalog.List(), "/v2/_catalog");
        return SmallBody.Json(new RepositoryList(page), RegistryJsonContext.Default.RepositoryList);
    }
}
