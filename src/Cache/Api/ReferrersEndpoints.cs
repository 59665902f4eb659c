using NeonRegistry.Content;
using NeonRegistry.Oci;

namespace NeonRegistry.Api;

/// <summary>distribution-spec: Listing Referrers. Never 404: a subject without referrers gets an empty index.</summary>
internal sealed class ReferrersEndpoints(IContentSource content)
{
    public async Task<IResult> ListAsync(HttpContext http, V2Route route, CancellationToken cancellationToken)
    {
        var subject = Digest.Parse(route.Argument);
        IEnumerable<Descriptor> found = await content.ListReferrersAsync(route.Repository, subject, cancellationToken);
        string? artifactType = http.Request.Query["artifactType"];
        if (!string.IsNullOrEmpty(artifactType))
        {
            found = found.Where(d => d.ArtifactType == artifactType);
            http.Response.Headers[RegistryHeaders.FiltersApplied] = "artifactType";
        }

        var index = new ReferrersList(2, MediaTypes.OciIndex, found.ToList());
        return SmallBody.Json(index, RegistryJsonContext.Default.ReferrersList, MediaTypes.OciIndex);
    }
}
