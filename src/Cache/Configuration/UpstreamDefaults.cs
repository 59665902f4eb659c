namespace NeonRegistry.Configuration;

/// <summary>
/// What every upstream of a cache shares, read from the environment (TAG_FRESHNESS, UPSTREAM_TIMEOUT, ...): an
/// entry of the upstreams file names only where and how to log in, and takes the rest from here.
/// </summary>
internal sealed record UpstreamDefaults
{
    public TimeSpan TagFreshness { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The whole store's limit: blobs are kept once, whichever upstream brought them.</summary>
    public long SizeLimitBytes { get; init; } = 100L * 1024 * 1024 * 1024;

    public IReadOnlyList<string> TrustedTokenHosts { get; init; } = [];

    public UpstreamOptions Create(string name, Uri remoteUrl, string? user, string? password) => new()
    {
        Name = name,
        RemoteUrl = remoteUrl,
        User = user,
        Password = password,
        TagFreshness = TagFreshness,
        RequestTimeout = RequestTimeout,
        IdleTimeout = IdleTimeout,
        BreakDuration = BreakDuration,
        SizeLimitBytes = SizeLimitBytes,
        TrustedTokenHosts = TrustedTokenHosts,
    };
}
