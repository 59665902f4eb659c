using System.Net;
using Serilog.Events;

namespace NeonRegistry.Configuration;

/// <summary>The validated settings of one registry instance. Built only by <see cref="EnvironmentSettings"/>.</summary>
internal sealed record RegistryOptions
{
    public const string DefaultStoragePath = "/var/lib/registry";
    public const int DefaultPort = 5000;

    /// <summary>The store's root directory, shared by every instance.</summary>
    public required string StoragePath { get; init; }

    public required int Port { get; init; }

    /// <summary>The address to listen on; null for every address of both families ([::] dual-stack, else 0.0.0.0).</summary>
    public IPAddress? ListenAddress { get; init; }

    /// <summary>Connections served at once, over every listening socket; see <see cref="DescriptorLimit"/> for the default.</summary>
    public int MaxConnections { get; init; } = DescriptorLimit.DefaultMaxConnections(1024);

    /// <summary>Signs upload state; the same on every instance so any of them can continue an upload. Null in cache mode.</summary>
    public required string? Secret { get; init; }

    /// <summary>The registry login; null in cache mode, whose clients are anonymous unless the htpasswd file names users.</summary>
    public required string? Username { get; init; }

    public required string? Password { get; init; }

    /// <summary>An htpasswd file of extra users (bcrypt entries), re-read when it changes.</summary>
    public string? HtpasswdFile { get; init; }

    /// <summary>
    /// The proxies whose X-Forwarded-For names the client: the address the login throttle and the log lines see.
    /// Empty, the header is ignored, since any client could write it.
    /// </summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>When true, every write answers 405 UNSUPPORTED: the state garbage collection runs in.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>When false, deletes of manifests, tags and blobs answer 405 UNSUPPORTED.</summary>
    public bool DeleteEnabled { get; init; } = true;

    public LogEventLevel LogLevel { get; init; } = LogEventLevel.Information;

    /// <summary>JSON lines for log collectors instead of text for people.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>This instance's name in every log line (HOST, else the machine's name).</summary>
    public required string InstanceName { get; init; }

    /// <summary>The upstreams of a pull-through cache; null for a primary registry.</summary>
    public UpstreamSetOptions? Upstreams { get; init; }

    /// <summary>The other cache nodes this one shares its blobs with (PEERS); null without PEERS, and for a primary.</summary>
    public PeerOptions? Peers { get; init; }

    public bool IsCache => Upstreams is not null;

    /// <summary>Whether clients must log in: always for a primary, only with an htpasswd file for a cache.</summary>
    public bool RequiresLogin => Username is not null || HtpasswdFile is not null;
}
