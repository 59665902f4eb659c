namespace NeonRegistry.Api;

/// <summary>Header names of the distribution-spec and of Docker's registry API.</summary>
internal static class RegistryHeaders
{
    public const string ApiVersion = "Docker-Distribution-API-Version";
    public const string ContentDigest = "Docker-Content-Digest";
    public const string UploadUuid = "Docker-Upload-UUID";
    public const string UploadSessionId = "Blob-Upload-Session-ID";
    public const string Subject = "OCI-Subject";
    public const string Tag = "OCI-Tag";
    public const string FiltersApplied = "OCI-Filters-Applied";
}
