namespace NeonRegistry.Commands;

/// <summary>A maintenance subcommand, its command line already parsed.</summary>
internal interface IMaintenanceCommand
{
    /// <summary>Runs against the store, reporting as it goes, and writes its summary to <paramref name="output"/>.</summary>
    /// <returns>The process's exit status (<see cref="ExitCodes"/>).</returns>
    Task<int> RunAsync(MaintenanceTarget target, ConsoleReporter reporter, TextWriter output, CancellationToken cancellationToken);
}
