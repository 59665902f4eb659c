namespace NeonRegistry.Maintenance;

/// <summary>What a <see cref="MaintenanceEvent"/> reports.</summary>
public enum MaintenanceEventKind
{
    /// <summary>An untagged manifest revision was removed from a repository (garbage-collect --delete-untagged).</summary>
    ManifestDeleted,

    /// <summary>A blob nothing references was deleted, with the repository links to it.</summary>
    BlobDeleted,

    /// <summary>A temp file left by an interrupted write was deleted.</summary>
    TempFileDeleted,

    /// <summary>A link to content that no longer exists was removed.</summary>
    LinkDeleted,

    /// <summary>An abandoned upload was deleted.</summary>
    UploadPurged,

    /// <summary>A blob's bytes do not match its digest.</summary>
    BlobCorrupt,

    /// <summary>A corrupt blob was moved into the quarantine directory.</summary>
    BlobQuarantined,

    /// <summary>A manifest, tag or referrer names content the store does not hold.</summary>
    ContentMissing,

    /// <summary>Something that needs an operator's attention but did not stop the run.</summary>
    Warning,
}
