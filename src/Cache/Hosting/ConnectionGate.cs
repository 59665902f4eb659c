using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using NeonRegistry.Configuration;

namespace NeonRegistry.Hosting;

/// <summary>
/// Serves at most MAX_CONNECTIONS connections at once, counted over every listening socket together, so idle
/// connections can no longer exhaust the process's descriptors (Kestrel's own MaxConcurrentConnections counts per
/// listening socket, and logs one warning per refused connection). Past the limit a new connection is closed at
/// once, except on a small reserve kept for liveness and readiness probes: a connection there must send a whole
/// <c>/healthz</c> or <c>/readyz</c> request head within <see cref="ProbeDeadline"/>, and is closed after that one
/// answer, so an idle flood holds a reserve slot for two seconds at most and never a regular one past the
/// keep-alive timeout. One warning says the limit was reached; one line says when the count is back under it.
/// </summary>
internal sealed partial class ConnectionGate(RegistryOptions options, ILogger<ConnectionGate> logger)
{
    /// <summary>Probe connections allowed past the limit; part of the descriptors <see cref="DescriptorLimit"/> keeps aside.</summary>
    public const int ProbeReserve = 16;

    public static readonly TimeSpan ProbeDeadline = TimeSpan.FromSeconds(2);

    private static readonly object ProbeConnectionKey = new();

    private int _open;
    private int _probes;
    private int _limitReached;
    private long _refused;

    /// <summary>Whether this request came over a reserve connection, which gets one answer and is then closed.</summary>
    public static bool IsProbeConnection(HttpContext http) =>
        http.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ProbeConnectionKey) == true;

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (Interlocked.Increment(ref _open) <= options.MaxConnections)
        {
            try
            {
                await next(connection);
            }
            finally
            {
                Release();
            }

            return;
        }

        Interlocked.Decrement(ref _open);
        OnLimitReached();
        var inReserve = Interlocked.Increment(ref _probes) <= ProbeReserve;
        try
        {
            if (inReserve && await ProbeRequest.ArrivesAsync(connection.Transport.Input, ProbeDeadline, connection.ConnectionClosed))
            {
                connection.Items[ProbeConnectionKey] = true;
                await next(connection);
                return;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _probes);
        }

        Interlocked.Increment(ref _refused);
        await connection.DisposeAsync();
    }

    private void OnLimitReached()
    {
        if (Interlocked.CompareExchange(ref _limitReached, 1, 0) == 0)
        {
            LogLimitReached(logger, options.MaxConnections);
        }
    }

    private void Release()
    {
        var open = Interlocked.Decrement(ref _open);
        // Back under 90% of the limit, so a count hovering at the limit makes one line, not one per connection.
        if (open < options.MaxConnections * 9L / 10 && Volatile.Read(ref _limitReached) == 1 && Interlocked.CompareExchange(ref _limitReached, 0, 1) == 1)
        {
            LogBackUnderLimit(logger, options.MaxConnections, Interlocked.Exchange(ref _refused, 0));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MAX_CONNECTIONS ({MaxConnections}) reached: new connections are closed at once, health probes excepted, until some close; raise MAX_CONNECTIONS and the open-file limit if this is real traffic")]
    private static partial void LogLimitReached(ILogger logger, int maxConnections);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connections back under MAX_CONNECTIONS ({MaxConnections}); {Refused} were refused meanwhile")]
    private static partial void LogBackUnderLimit(ILogger logger, int maxConnections, long refused);
}
