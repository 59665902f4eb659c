namespace NeonRegistry.Content;

/// <summary>Where an answer came from, for the response header and the request log.</summary>
internal enum CacheStatus
{
    /// <summary>A primary registry's own content.</summary>
    Local,

    /// <summary>Served from the cache without asking the upstream (or after it confirmed the cached tag).</summary>
    Hit,

    /// <summary>Fetched from the upstream for this request, or joined a fetch already under way.</summary>
    Miss,

    /// <summary>Served from the cache because the upstream could not be asked.</summary>
    Stale,
}
