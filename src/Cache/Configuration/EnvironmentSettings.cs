using System.Globalization;
using System.Net;
using Serilog.Events;

namespace NeonRegistry.Configuration;

/// <summary>
/// The one place that reads settings. They are the flat environment names the image documents (USERNAME,
/// SECRET, ...), read through <see cref="IConfiguration"/> so tests can pass the same keys in memory.
/// Every value is parsed strictly: a bad value stops start-up with one line naming the variable.
/// </summary>
internal static class EnvironmentSettings
{
    public const int MinimumSecretLength = 32;

    /// <summary>
    /// Reads every setting. REMOTE_URL or an upstreams file selects the mode: without either the process is a
    /// primary registry whose USERNAME/PASSWORD is the login; with one, a pull-through cache whose USER/PASSWORD
    /// log in to REMOTE_URL's upstream and whose own clients are anonymous unless HTPASSWD_FILE names users.
    /// </summary>
    /// <exception cref="SettingsException">A setting is missing or malformed.</exception>
    public static RegistryOptions Read(IConfiguration configuration)
    {
        string? Get(string name) => configuration[name] is { Length: > 0 } value ? value : null;

        var upstreams = ReadUpstreams(Get);
        var isCache = upstreams is not null;
        var instanceName = Get("HOST") ?? Environment.MachineName;
        return new RegistryOptions
        {
            StoragePath = ReadStoragePath(configuration),
            Port = ReadPort(Get("PORT"), isCache ? UpstreamOptions.DefaultPort : RegistryOptions.DefaultPort),
            ListenAddress = ReadListenAddress(Get("LISTEN_ADDRESS")),
            MaxConnections = ReadMaxConnections(Get("MAX_CONNECTIONS")),
            // A cache takes no pushes, so it has no upload state to sign.
            Secret = isCache && Get("SECRET") is null ? null : ReadSecret(Get("SECRET")),
            Username = isCache ? null : ReadUsername(Get("USERNAME")),
            Password = isCache ? null : Get("PASSWORD") ?? throw new SettingsException("PASSWORD is required: the password of the registry login USERNAME"),
            HtpasswdFile = ReadExistingFile("HTPASSWD_FILE", Get("HTPASSWD_FILE")),
            TrustedProxies = ReadNetworks("TRUSTED_PROXIES", Get("TRUSTED_PROXIES")),
            ReadOnly = ReadBoolean("READ_ONLY", Get("READ_ONLY"), defaultValue: false),
            DeleteEnabled = ReadBoolean("DELETE_ENABLED", Get("DELETE_ENABLED"), defaultValue: true),
            LogLevel = ReadLogLevel(Get("LOG_LEVEL")),
            JsonLogs = ReadLogFormat(Get("LOG_FORMAT")),
            InstanceName = instanceName,
            Upstreams = upstreams,
            Peers = Get("PEERS") is { } peers ? ReadPeers(peers, isCache, instanceName, Get) : null,
        };
    }

    /// <summary>The cache's upstreams: REMOTE_URL's with USER/PASSWORD, UPSTREAMS_FILE's, or both; null for a primary.</summary>
    private static UpstreamSetOptions? ReadUpstreams(Func<string, string?> get)
    {
        var file = ReadUpstreamsFileOrNull(get("UPSTREAMS_FILE"));
        var remote = get("REMOTE_URL");
        if (remote is null && file is null)
        {
            return null;
        }

        var defaults = new UpstreamDefaults();
        defaults = defaults with
        {
            TagFreshness = ReadDuration("TAG_FRESHNESS", get("TAG_FRESHNESS"), defaults.TagFreshness),
            RequestTimeout = ReadDuration("UPSTREAM_TIMEOUT", get("UPSTREAM_TIMEOUT"), defaults.RequestTimeout),
            IdleTimeout = ReadDuration("UPSTREAM_IDLE_TIMEOUT", get("UPSTREAM_IDLE_TIMEOUT"), defaults.IdleTimeout),
            BreakDuration = ReadDuration("UPSTREAM_BREAK", get("UPSTREAM_BREAK"), defaults.BreakDuration),
            SizeLimitBytes = ReadSize("CACHE_SIZE_LIMIT", get("CACHE_SIZE_LIMIT"), defaults.SizeLimitBytes),
            TrustedTokenHosts = get("TOKEN_REALM_HOSTS")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
        };
        if (remote is null && get("PASSWORD") is not null)
        {
            throw new SettingsException("PASSWORD is set without REMOTE_URL: the upstreams of UPSTREAMS_FILE read theirs from password_file");
        }

        var remoteUpstream = remote is null ? null : ReadRemoteUpstream(remote, get, defaults);
        var (fromFile, sources) = file is null
            ? ([], [])
            : UpstreamsFile.Read(file, defaults, remoteUpstream is null ? [] : [remoteUpstream.Name]);
        return new UpstreamSetOptions { Defaults = defaults, Remote = remoteUpstream, File = file, FromFile = fromFile, FileSources = sources };
    }

    /// <summary>UPSTREAMS_FILE when set (it must exist), else the default path when a file is there.</summary>
    private static string? ReadUpstreamsFileOrNull(string? value) =>
        value is null ? File.Exists(UpstreamSetOptions.DefaultFile) ? UpstreamSetOptions.DefaultFile : null
        : File.Exists(value) ? value
        : throw new SettingsException($"UPSTREAMS_FILE '{value}' does not exist");

    private static UpstreamOptions ReadRemoteUpstream(string remote, Func<string, string?> get, UpstreamDefaults defaults)
    {
        if (UpstreamsFile.RemoteUrlOrError(remote) is { } problem)
        {
            throw new SettingsException(problem.StartsWith('\'') ? $"REMOTE_URL {problem}" : $"REMOTE_URL {problem}: give it as USER and PASSWORD");
        }

        var user = get("USER");
        var password = get("PASSWORD");
        if (user is null && password is not null)
        {
            throw new SettingsException("USER is required when PASSWORD is set: the upstream login's user name");
        }

        // A login shell always sets USER to its own user's name: without PASSWORD it cannot be meant as the upstream login.
        var ignoredUser = password is null ? user : null;
        var url = new Uri(remote);
        return defaults.Create(UpstreamOptions.NameOf(url), url, ignoredUser is null ? user : null, password) with { IgnoredUser = ignoredUser };
    }

    /// <summary>
    /// PEERS lists every cache node, this one too, as the same list on every node. This node is the entry whose
    /// host, or host:port (for nodes sharing a host), is HOST, so exactly one entry must match it.
    /// </summary>
    private static PeerOptions ReadPeers(string value, bool isCache, string instanceName, Func<string, string?> get)
    {
        if (!isCache)
        {
            throw new SettingsException("PEERS is for cache nodes: set REMOTE_URL or UPSTREAMS_FILE too, or remove PEERS");
        }

        var nodes = new List<Uri>();
        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(entry, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.AbsolutePath != "/" || url.UserInfo.Length > 0 || url.Query.Length > 0)
            {
                throw new SettingsException($"PEERS entry '{entry}' is not the root URL of a cache node, e.g. http://manager-2.neon-registry-cache.cluster:5002");
            }

            if (nodes.Any(node => node.Authority.Equals(url.Authority, StringComparison.OrdinalIgnoreCase)))
            {
                throw new SettingsException($"PEERS lists {url.Authority} twice");
            }

            nodes.Add(url);
        }

        var self = nodes.FindAll(node => node.Host.Equals(instanceName, StringComparison.OrdinalIgnoreCase) || node.Authority.Equals(instanceName, StringComparison.OrdinalIgnoreCase));
        if (self.Count != 1)
        {
            throw new SettingsException(self.Count == 0
                ? $"PEERS must list this node too: no entry's host is HOST '{instanceName}'"
                : $"PEERS has {self.Count} entries whose host is HOST '{instanceName}': set HOST to this node's host:port");
        }

        var secret = get("SECRET") ?? throw new SettingsException($"SECRET is required with PEERS: it signs peer requests; set it to the same random string of at least {MinimumSecretLength} characters on every node");
        var defaults = new PeerOptions { Nodes = nodes, Self = nodes.IndexOf(self[0]), Secret = ReadSecret(secret) };
        return defaults with { Timeout = ReadDuration("PEER_TIMEOUT", get("PEER_TIMEOUT"), defaults.Timeout) };
    }

    private static TimeSpan ReadDuration(string name, string? value, TimeSpan defaultValue)
    {
        if (value is null)
        {
            return defaultValue;
        }

        return SettingParsers.TryParseDuration(value, out var duration) && duration > TimeSpan.Zero
            ? duration
            : throw new SettingsException($"{name} '{value}' is not a duration such as 30s, 5m, 1h or 7d");
    }

    private static long ReadSize(string name, string? value, long defaultValue)
    {
        if (value is null)
        {
            return defaultValue;
        }

        return SettingParsers.TryParseSize(value, out var bytes) && bytes > 0
            ? bytes
            : throw new SettingsException($"{name} '{value}' is not a size such as 500MiB or 100GiB");
    }

    /// <summary>
    /// Only the store's location (whose default depends on the mode): all the maintenance commands need, so they
    /// run without the login and secret that serving requires.
    /// </summary>
    public static string ReadStoragePath(IConfiguration configuration) =>
        configuration["STORAGE_PATH"] is { Length: > 0 } path ? path
        : ReadIsCache(configuration) ? UpstreamOptions.DefaultStoragePath
        : RegistryOptions.DefaultStoragePath;

    /// <summary>Whether REMOTE_URL or an upstreams file makes this a pull-through cache, without checking the upstream settings.</summary>
    public static bool ReadIsCache(IConfiguration configuration) =>
        configuration["REMOTE_URL"] is { Length: > 0 } || configuration["UPSTREAMS_FILE"] is { Length: > 0 } || File.Exists(UpstreamSetOptions.DefaultFile);

    private static string ReadSecret(string? value) => value switch
    {
        null => throw new SettingsException($"SECRET is required: set it to the same random string of at least {MinimumSecretLength} characters on every instance"),
        { Length: < MinimumSecretLength } => throw new SettingsException($"SECRET must be at least {MinimumSecretLength} characters (it has {value.Length})"),
        _ => value,
    };

    private static string ReadUsername(string? value) => value switch
    {
        null => throw new SettingsException("USERNAME is required: the user name of the registry login"),
        _ when value.Contains(':') => throw new SettingsException("USERNAME must not contain ':' (basic authentication splits on it)"),
        _ => value,
    };

    private static int ReadPort(string? value, int defaultPort)
    {
        if (value is null)
        {
            return defaultPort;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new SettingsException($"PORT '{value}' is not a port number (0-65535)");
    }

    /// <summary>An IP literal, v4 in four dotted parts (so "1" or "127.1" are refused, not read as 0.0.0.1 or 127.0.0.1).</summary>
    private static IPAddress? ReadListenAddress(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var literal = value.StartsWith('[') && value.EndsWith(']') ? value[1..^1] : value;
        return IPAddress.TryParse(literal, out var address) && (literal.Contains(':') || literal.Count(c => c == '.') == 3)
            ? address
            : throw new SettingsException($"LISTEN_ADDRESS '{value}' is not an IP address such as 0.0.0.0, ::, 127.0.0.1 or ::1");
    }

    private static int ReadMaxConnections(string? value)
    {
        if (value is null)
        {
            return DescriptorLimit.DefaultMaxConnections(DescriptorLimit.Current());
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0
            ? limit
            : throw new SettingsException($"MAX_CONNECTIONS '{value}' is not a positive whole number of connections");
    }

    private static bool ReadBoolean(string name, string? value, bool defaultValue) => value switch
    {
        null => defaultValue,
        "true" => true,
        "false" => false,
        _ => throw new SettingsException($"{name} '{value}' must be 'true' or 'false'"),
    };

    private static LogEventLevel ReadLogLevel(string? value) => value switch
    {
        null or "info" => LogEventLevel.Information,
        "error" => LogEventLevel.Error,
        "warn" => LogEventLevel.Warning,
        "debug" => LogEventLevel.Debug,
        _ => throw new SettingsException($"LOG_LEVEL '{value}' must be one of error, warn, info, debug"),
    };

    private static bool ReadLogFormat(string? value) => value switch
    {
        null or "text" => false,
        "json" => true,
        _ => throw new SettingsException($"LOG_FORMAT '{value}' must be 'text' or 'json'"),
    };

    private static IPNetwork[] ReadNetworks(string name, string? value) =>
        value is null ? [] : [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(entry => ReadNetwork(name, entry))];

    /// <summary>A network (10.0.0.0/8) or a single address (10.0.0.5, fd00::1), which is a network of one.</summary>
    private static IPNetwork ReadNetwork(string name, string entry) =>
        IPNetwork.TryParse(entry, out var network) ? network
        : IPAddress.TryParse(entry, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8)
        : throw new SettingsException($"{name} entry '{entry}' is not an IP address or network such as 10.0.0.5 or 10.0.0.0/8");

    private static string? ReadExistingFile(string name, string? value) =>
        value is null || File.Exists(value) ? value : throw new SettingsException($"{name} '{value}' does not exist");
}
