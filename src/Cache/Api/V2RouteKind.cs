namespace NeonRegistry.Api;

/// <summary>The endpoints of the distribution-spec, as told apart by <see cref="V2Route"/>.</summary>
internal enum V2RouteKind
{
    Base,
    Catalog,
    Manifest,
    Blob,
    UploadStart,
    UploadSession,
    Tags,
    Referrers,
}
