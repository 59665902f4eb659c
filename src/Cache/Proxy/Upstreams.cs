using Microsoft.Extensions.Caching.Memory;
using NeonRegistry.Configuration;
using NeonRegistry.Metrics;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// The upstreams a cache mirrors, as <see cref="UpstreamSet"/> maps names to them, kept current with the upstreams
/// file: when it or a password file it names changes on disk (size or modification time, checked at most once a
/// second, as the htpasswd file is), it is read again. An upstream whose entry did not change keeps its client,
/// so its tokens and breaker carry over; a bad edit keeps the last good set and logs why, once per edit.
/// </summary>
internal sealed partial class Upstreams : IDisposable
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly UpstreamSetOptions _options;
    private readonly Func<UpstreamOptions, Upstream> _create;
    private readonly CacheMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger<Upstreams> _logger;
    private readonly Lock _lock = new();
    private readonly List<Upstream> _retired = [];
    private readonly Upstream? _remote;
    private volatile UpstreamSet _current;
    private IReadOnlyList<FileVersion> _sources;
    private long _nextCheck;

    public Upstreams(RegistryOptions options, IMemoryCache tokens, CacheMetrics metrics, RegistryMetrics registry, TimeProvider clock, ILoggerFactory loggers)
    {
        _options = options.Upstreams ?? throw new InvalidOperationException("a primary registry has no upstreams");
        _create = upstream => new Upstream(upstream, tokens, metrics, clock, loggers);
        _metrics = metrics;
        _clock = clock;
        _logger = loggers.CreateLogger<Upstreams>();
        _remote = _options.Remote is { } remote ? _create(remote) : null;
        _current = Build(_options.FromFile, []);
        _sources = _options.FileSources;
        _nextCheck = clock.GetTimestamp() + Ticks(CheckInterval);
        registry.Registry.AddBeforeCollectCallback(() => metrics.SetBreakers(Current.All.Select(u => (u.Options.Name, u.Client.IsBreakerOpen))));
    }

    /// <summary>The upstreams as of now, the file read again first if it changed.</summary>
    public UpstreamSet Current
    {
        get
        {
            Refresh();
            return _current;
        }
    }

    /// <summary>The upstream a stored repository is from, and the repository there; null when no upstream serves the name.</summary>
    public ResolvedRepository? Resolve(RepositoryName stored) => Current.Resolve(stored);

    private void Refresh()
    {
        if (_options.File is not { } file || _clock.GetTimestamp() < Interlocked.Read(ref _nextCheck))
        {
            return;
        }

        lock (_lock)
        {
            var now = _clock.GetTimestamp();
            if (now < _nextCheck)
            {
                return;
            }

            Interlocked.Exchange(ref _nextCheck, now + Ticks(CheckInterval));
            if (!_sources.Any(source => source.Changed))
            {
                return;
            }

            try
            {
                var taken = _remote is null ? Array.Empty<string>() : [_remote.Options.Name];
                var (upstreams, sources) = UpstreamsFile.Read(file, _options.Defaults, taken);
                _sources = sources;
                var before = _current;
                _current = Build(upstreams, before.All);
                Retire(before.All.Except(_current.All));
                _metrics.UpstreamsFileRead(applied: true);
                LogReloaded(_logger, file, string.Join(", ", _current.All.Select(u => $"{u.Options.Name} ({u.Options.RemoteUrl.Authority})")));
            }
            catch (SettingsException e)
            {
                // Not again until the next edit.
                _sources = [.. _sources.Select(source => FileVersion.Of(source.Path))];
                _metrics.UpstreamsFileRead(applied: false);
                foreach (var line in e.Message.Split('\n'))
                {
                    LogRefused(_logger, line);
                }
            }
        }
    }

    private long Ticks(TimeSpan interval) => (long)(interval.TotalSeconds * _clock.TimestampFrequency);

    private UpstreamSet Build(IReadOnlyList<UpstreamOptions> fromFile, IReadOnlyList<Upstream> before)
    {
        var upstreams = new List<Upstream>();
        if (_remote is not null)
        {
            upstreams.Add(_remote);
        }

        foreach (var options in fromFile)
        {
            upstreams.Add(before.FirstOrDefault(u => u.Options == options) ?? _create(options));
        }

        return new UpstreamSet(upstreams, _remote);
    }

    // A request may still be using a dropped upstream's client: it is disposed with the process, not now.
    private void Retire(IEnumerable<Upstream> dropped)
    {
        foreach (var upstream in dropped)
        {
            _retired.Add(upstream);
            if (!_current.All.Any(u => u.Options.Name == upstream.Options.Name))
            {
                _metrics.ForgetUpstream(upstream.Options.Name);
            }
        }
    }

    public void Dispose()
    {
        foreach (var upstream in _current.All.Concat(_retired))
        {
            upstream.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstreams file {File} read again: {Upstreams}")]
    private static partial void LogReloaded(ILogger logger, string file, string upstreams);

    [LoggerMessage(Level = LogLevel.Error, Message = "Upstreams file changed but is refused, the upstreams stay as they were: {Problem}")]
    private static partial void LogRefused(ILogger logger, string problem);
}
