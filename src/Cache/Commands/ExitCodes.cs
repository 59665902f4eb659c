namespace NeonRegistry.Commands;

/// <summary>The exit statuses of the maintenance commands.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command ran and found the store not clean, or could not run against it.</summary>
    public const int Failed = 1;

    /// <summary>A bad command line.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by Ctrl-C or SIGTERM; 128 + SIGINT, as shells report a process interrupted.</summary>
    public const int Interrupted = 130;
}
