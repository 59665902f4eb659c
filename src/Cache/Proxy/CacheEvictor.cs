using NeonRegistry.Configuration;
using NeonRegistry.Metrics;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Proxy;

/// <summary>
/// Keeps the cache within CACHE_SIZE_LIMIT: when the blobs outgrow it, the least recently used are deleted until
/// the store is back under 90% of the limit, so eviction does not run again at once. A blob being served or filled
/// is never evicted; an evicted blob is simply fetched again when next pulled. Manifests are never evicted either:
/// they are small, they are what a cache serves stale while its upstream is down, and they are served from memory,
/// so their access times say nothing about their use.
/// <para>
/// Room is made before a fill whose upstream announced its length, and after each fill that did not, so the
/// store exceeds the limit only by the fills in flight. Measuring the store stats every blob, so it is done only
/// when the blobs stored since the last measure (and the one about to be) may cross the limit, and every few
/// minutes besides, to see what else changed the store (garbage-collect, an operator).
/// </para>
/// </summary>
internal sealed partial class CacheEvictor(
    UpstreamOptions options,
    StorageLayout layout,
    BlobFills fills,
    BlobLeases leases,
    CacheMetrics metrics,
    TimeProvider clock,
    ILogger<CacheEvictor> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RemeasureInterval = TimeSpan.FromMinutes(5);

    private readonly Lock _pass = new();
    private long _measuredBytes;
    private long _storedSinceMeasure;
    private long _measuredAt;
    private volatile bool _measured;

    /// <summary>Holds <paramref name="digest"/> against eviction until disposed: it is being served.</summary>
    public IDisposable Lease(Digest digest) => leases.Acquire(digest);

    /// <summary>Counts a blob the cache has just stored towards the next check against the limit.</summary>
    public void NoteStored(long bytes) => Interlocked.Add(ref _storedSinceMeasure, bytes);

    /// <summary>Whether the store may have outgrown the limit, or has not been measured for a while.</summary>
    public bool IsMeasureDue => IsDue(0);

    /// <summary>Before a fill of <paramref name="bytes"/>: evicts what must go for the blob to fit under the limit.</summary>
    public void MakeRoomFor(long bytes) => TryEvict(bytes);

    /// <summary>After a fill whose length was not known before: evicts when the store may now be over the limit.</summary>
    public void EvictIfDue() => TryEvict(0);

    private bool IsDue(long incoming) =>
        !_measured
        || Interlocked.Read(ref _measuredBytes) + Interlocked.Read(ref _storedSinceMeasure) + incoming > options.SizeLimitBytes
        || clock.GetElapsedTime(Interlocked.Read(ref _measuredAt)) >= RemeasureInterval;

    private void TryEvict(long incoming)
    {
        // A pull never fails for eviction's sake: the background pass tries again.
        if (!IsDue(incoming))
        {
            return;
        }

        try
        {
            lock (_pass)
            {
                // Asked again once in the pass: one that ran while this one waited may have made the room.
                if (IsDue(incoming))
                {
                    EvictLocked(incoming);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogEvictionFailed(logger, e);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                if (IsMeasureDue)
                {
                    EvictOnce();
                }
            }
            catch (IOException e)
            {
                LogEvictionFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>The number of blobs evicted.</returns>
    public int EvictOnce()
    {
        // One pass at a time: fills starting together would otherwise each list the store and evict for the others.
        lock (_pass)
        {
            return EvictLocked(0);
        }
    }

    /// <param name="incoming">The length of a blob about to be stored, for which room is made too.</param>
    private int EvictLocked(long incoming)
    {
        // Reset before the listing: a blob stored meanwhile is counted by this listing or the next check, or both.
        Interlocked.Exchange(ref _storedSinceMeasure, 0);
        var root = new DirectoryInfo(layout.BlobsRoot);
        var listed = root.Exists ? root.EnumerateFiles("*", SearchOption.AllDirectories).ToList() : [];
        DeleteAbandonedDownloads(listed);
        var files = listed.Where(f => !StorageLayout.IsHidden(f.Name)).ToList();
        var total = files.Sum(f => f.Length);
        if (total + incoming <= options.SizeLimitBytes)
        {
            Measured(total);
            return 0;
        }

        var target = Math.Max(0, (options.SizeLimitBytes * 9 / 10) - incoming);
        var manifests = ManifestDigests();
        var evicted = 0;
        foreach (var file in files.OrderBy(f => f.LastAccessTimeUtc))
        {
            if (total <= target)
            {
                break;
            }

            var digest = layout.BlobDigestOrNull(file.FullName);
            if (digest is null || manifests.Contains(digest.Value) || fills.IsFilling(digest.Value) || leases.IsLeased(digest.Value))
            {
                continue;
            }

            var length = file.Length;
            file.Delete();
            total -= length;
            evicted++;
        }

        metrics.Evictions.Inc(evicted);
        Measured(total);
        LogEvicted(logger, evicted, total);
        return evicted;
    }

    /// <summary>
    /// Deletes the temp files of downloads that stopped long ago: left by a cache killed mid-download, they are
    /// not blobs, so nothing else would ever count or remove them. A download still running writes to its file at
    /// least once per idle timeout.
    /// </summary>
    private void DeleteAbandonedDownloads(List<FileInfo> listed)
    {
        var abandonedAfter = TimeSpan.FromTicks(Math.Max(TimeSpan.FromHours(1).Ticks, options.IdleTimeout.Ticks * 2));
        var cutoff = clock.GetUtcNow().UtcDateTime - abandonedAfter;
        // A blob a garbage collection has set aside is its to judge or to put back.
        var abandoned = listed.Where(f => f.Name.StartsWith(AtomicFile.TempPrefix, StringComparison.Ordinal) && !StorageLayout.IsSetAside(f.Name) && f.LastWriteTimeUtc < cutoff);
        foreach (var file in abandoned)
        {
            file.Delete();
        }
    }

    private void Measured(long total)
    {
        metrics.BytesStored.Set(total);
        Interlocked.Exchange(ref _measuredBytes, total);
        Interlocked.Exchange(ref _measuredAt, clock.GetTimestamp());
        _measured = true;
    }

    /// <summary>Every digest some repository holds as a manifest revision.</summary>
    private HashSet<Digest> ManifestDigests() =>
        layout.Repositories(layout.HoldsManifests).SelectMany(layout.ManifestRevisionFiles).Select(revision => revision.Digest).ToHashSet();

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicted {Count} least recently used blobs; the cache now holds {Bytes} bytes")]
    private static partial void LogEvicted(ILogger logger, int count, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Eviction pass failed; it is tried again shortly")]
    private static partial void LogEvictionFailed(ILogger logger, Exception exception);
}
