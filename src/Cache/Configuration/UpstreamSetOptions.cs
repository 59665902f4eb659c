namespace NeonRegistry.Configuration;

/// <summary>
/// A cache's upstreams as configured at start-up: REMOTE_URL's (with USER/PASSWORD), the entries of
/// UPSTREAMS_FILE, or both. The file is re-read when it changes; REMOTE_URL's upstream stays for the process's life.
/// </summary>
internal sealed record UpstreamSetOptions
{
    public const string DefaultFile = "/etc/neon-registry-cache/upstreams.toml";

    public required UpstreamDefaults Defaults { get; init; }

    /// <summary>REMOTE_URL's upstream; when set, the default one (whose repositories keep the names clients give).</summary>
    public UpstreamOptions? Remote { get; init; }

    /// <summary>The upstreams file, or null when there is none.</summary>
    public string? File { get; init; }

    /// <summary>The file's entries as read at start-up.</summary>
    public IReadOnlyList<UpstreamOptions> FromFile { get; init; } = [];

    /// <summary>The upstreams file and the password files it names, as they were when read.</summary>
    public IReadOnlyList<FileVersion> FileSources { get; init; } = [];

    /// <summary>REMOTE_URL's upstream first, then the file's.</summary>
    public IReadOnlyList<UpstreamOptions> All => Remote is { } remote ? [remote, .. FromFile] : FromFile;
}
