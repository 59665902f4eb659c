namespace NeonRegistry.Configuration;

/// <summary>One upstream of a pull-through cache and how to treat it. Present only in cache mode.</summary>
internal sealed record UpstreamOptions
{
    public const string DefaultStoragePath = "/var/lib/neon-registry-cache";
    public const int DefaultPort = 5002;

    /// <summary>
    /// The registry host clients name, e.g. docker.io or ghcr.io: what containerd sends as <c>?ns=</c>, the first
    /// path component of the path form, and the <c>upstream</c> label of its metrics.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>The upstream registry's root, e.g. https://registry-1.docker.io.</summary>
    public required Uri RemoteUrl { get; init; }

    /// <summary>The upstream login (basic, or exchanged for bearer tokens); null for anonymous pulls.</summary>
    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>Where the login is set, for the messages that say it was refused ("refuses USER/PASSWORD").</summary>
    public string LoginSetting { get; init; } = "USER/PASSWORD";

    /// <summary>The same, for the messages that say to set or check it ("check USER and PASSWORD").</summary>
    public string LoginSettings { get; init; } = "USER and PASSWORD";

    /// <summary>USER when it was set without PASSWORD, and so ignored (pulls are anonymous); logged once at start.</summary>
    public string? IgnoredUser { get; init; }

    /// <summary>How long a cached tag is served without asking the upstream whether it moved.</summary>
    public TimeSpan TagFreshness { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one attempt may wait for the upstream's response headers.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a body download may go without receiving a byte; a slow but moving download never times out.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the upstream is left alone after repeated failures (the circuit breaker's break).</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Blobs beyond this many bytes are evicted, least recently used first.</summary>
    public long SizeLimitBytes { get; init; } = 100L * 1024 * 1024 * 1024;

    /// <summary>Token realms on these hosts may receive the upstream credentials besides the upstream's own host (TOKEN_REALM_HOSTS).</summary>
    public IReadOnlyList<string> TrustedTokenHosts { get; init; } = [];

    /// <summary>
    /// Whether redirects (an upstream's to blob storage) are followed. Off for peers, which never redirect: the handler
    /// drops Authorization on a redirect but not the peer signature, which would be replayable where it led.
    /// </summary>
    public bool FollowsRedirects { get; init; } = true;

    /// <summary>Docker Hub reads one-component names as library/NAME.</summary>
    public bool IsDockerHub => RemoteUrl.Host is "registry-1.docker.io" or "index.docker.io" or "docker.io";

    /// <summary>The name a repository has upstream: Docker Hub keeps its official images under library/.</summary>
    public string RemoteNameOf(Oci.RepositoryName name) =>
        IsDockerHub && !name.Value.Contains('/') ? "library/" + name.Value : name.Value;

    /// <summary>The name an upstream given only as a URL goes by: docker.io for Docker Hub, else the URL's host[:port].</summary>
    public static string NameOf(Uri remoteUrl) =>
        remoteUrl.Host is "registry-1.docker.io" or "index.docker.io" or "docker.io" ? "docker.io" : remoteUrl.Authority.ToLowerInvariant();
}
