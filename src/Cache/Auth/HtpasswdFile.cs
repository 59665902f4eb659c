namespace NeonRegistry.Auth;

/// <summary>
/// Users from an htpasswd file of bcrypt entries (<c>user:$2y$...</c>, as <c>htpasswd -B</c> writes them).
/// The file is re-read when its size or modification time changes, checked at most once a second.
/// </summary>
internal sealed class HtpasswdFile(string path, TimeProvider clock)
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private IReadOnlyDictionary<string, string> _hashes = new Dictionary<string, string>();
    private (DateTime Modified, long Length) _version;
    private DateTimeOffset _nextCheck = DateTimeOffset.MinValue;

    /// <summary>Changes whenever the file's users change, so cached logins from an older version stop counting.</summary>
    public int Generation { get; private set; }

    /// <summary>The bcrypt hash of a user, or null when the file does not name the user.</summary>
    public string? HashOrNull(string username)
    {
        Refresh();
        return _hashes.GetValueOrDefault(username);
    }

    public void Refresh()
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (now < _nextCheck)
            {
                return;
            }

            _nextCheck = now + CheckInterval;
            var file = new FileInfo(path);
            var version = file.Exists ? (file.LastWriteTimeUtc, file.Length) : default;
            if (version == _version)
            {
                return;
            }

            _hashes = file.Exists ? Parse(File.ReadAllLines(path)) : new Dictionary<string, string>();
            _version = version;
            Generation++;
        }
    }

    private static Dictionary<string, string> Parse(IEnumerable<string> lines)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':');
            var hash = colon > 0 ? line[(colon + 1)..].Trim() : "";
            // Only bcrypt entries: MD5-crypt and SHA1 htpasswd entries are too weak to accept.
            if (hash.StartsWith("$2", StringComparison.Ordinal))
            {
                hashes[line[..colon]] = hash;
            }
        }

        return hashes;
    }
}
