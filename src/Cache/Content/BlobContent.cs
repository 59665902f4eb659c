using NeonRegistry.Storage;

namespace NeonRegistry.Content;

/// <summary>
/// A blob to serve: a committed file (served from disk with range support), a blob still being taken into the
/// store (streamed as it arrives, as a cache fills it), or, for a HEAD, a blob only the upstream holds (its length,
/// when the upstream gave it). At most one of <see cref="File"/> and <see cref="Intake"/> is set. <see cref="Lease"/>, when set, keeps the
/// blob from eviction and is released when the response ends.
/// </summary>
internal sealed record BlobContent(BlobInfo? File, BlobIntake? Intake, CacheStatus Status, IDisposable? Lease = null, long? UpstreamLength = null)
{
    /// <summary>The peer node a fill comes from, for X-Cache; null when it comes from the upstream.</summary>
    public string? Via { get; init; }

    public static BlobContent Committed(BlobInfo file, CacheStatus status, IDisposable? lease = null) => new(file, null, status, lease);

    public static BlobContent Filling(BlobIntake intake, IDisposable lease) => new(null, intake, CacheStatus.Miss, lease);

    public static BlobContent AtUpstream(long? length) => new(null, null, CacheStatus.Miss, UpstreamLength: length);
}
