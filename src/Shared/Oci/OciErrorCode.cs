namespace NeonRegistry.Oci;

/// <summary>
/// The error codes of the distribution-spec ("Error Codes"), plus the few that distribution adds for cases the
/// spec leaves open. The HTTP status of each is decided in exactly one table in the host.
/// </summary>
public enum OciErrorCode
{
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    ManifestTooLarge,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    TagInvalid,
    RangeInvalid,

    /// <summary>A blob download's <c>Range</c> lies outside the blob (416, with the blob's size in <c>Content-Range</c>).</summary>
    RangeNotSatisfiable,
    PaginationNumberInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    TooManyRequests,
    Unavailable,

    /// <summary>The store's filesystem has no space or quota left (ENOSPC, EDQUOT).</summary>
    StoreFull,

    /// <summary>The store's filesystem refuses writes (EROFS, EACCES).</summary>
    StoreReadOnly,
    NotFound,
    Unknown,
}
