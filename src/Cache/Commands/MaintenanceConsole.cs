namespace NeonRegistry.Commands;

/// <summary>Where a maintenance command writes: results and the summary to <see cref="Output"/>, progress and errors to <see cref="Error"/>.</summary>
/// <param name="Terminal">True when <see cref="Error"/> is a terminal: progress is a bar redrawn in place, not a line now and then.</param>
/// <param name="PlainInterval">How often progress is written as a line when <see cref="Error"/> is not a terminal.</param>
internal sealed record MaintenanceConsole(TextWriter Output, TextWriter Error, bool Terminal, TimeSpan PlainInterval)
{
    public static readonly TimeSpan DefaultPlainInterval = TimeSpan.FromSeconds(5);

    public static MaintenanceConsole System() =>
        new(Console.Out, Console.Error, Terminal: !Console.IsErrorRedirected, DefaultPlainInterval);
}
