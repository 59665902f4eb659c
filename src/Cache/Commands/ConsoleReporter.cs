using System.Globalization;
using NeonRegistry.Maintenance;

namespace NeonRegistry.Commands;

/// <summary>
/// Shows a maintenance run on the console. Events (what was deleted or found) are lines on the output; progress goes
/// to the error stream, as a bar redrawn in place on a terminal, or as a plain line per phase and then every few
/// seconds when it is a log or a pipe.
/// </summary>
internal sealed class ConsoleReporter(MaintenanceConsole console, TimeProvider clock) : IMaintenanceReporter
{
    private const int BarWidth = 30;

    // Fast enough to look live, slow enough that drawing never costs more than the work it shows.
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly object _gate = new();
    private string? _phase;
    private long _lastWritten;
    private bool _barShown;

    public void Progress(MaintenanceProgress progress)
    {
        lock (_gate)
        {
            var interval = console.Terminal ? RedrawInterval : console.PlainInterval;
            if (progress.Phase == _phase && clock.GetElapsedTime(_lastWritten) < interval)
            {
                return;
            }

            _phase = progress.Phase;
            _lastWritten = clock.GetTimestamp();
            if (console.Terminal)
            {
                console.Error.Write($"\r{Bar(progress)} {Describe(progress)}\u001b[K");
                _barShown = true;
            }
            else
            {
                console.Error.WriteLine(Describe(progress));
            }
        }
    }

    public void Report(MaintenanceEvent maintenanceEvent)
    {
        lock (_gate)
        {
            ClearBar();
            console.Output.WriteLine(maintenanceEvent.Message);
        }
    }

    /// <summary>Takes the bar off the screen, before the summary is written.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            ClearBar();
        }
    }

    private void ClearBar()
    {
        if (_barShown)
        {
            console.Error.Write("\r\u001b[K");
            console.Error.Flush();
            _barShown = false;
        }
    }

    private static string Describe(MaintenanceProgress progress)
    {
        string Amount(long value) => progress.Unit == ProgressUnit.Bytes ? ByteSize.Format(value) : value.ToString(CultureInfo.InvariantCulture);
        return progress.Total > 0
            ? $"{progress.Phase}: {Amount(progress.Done)}/{Amount(progress.Total)} ({Percent(progress)}%)"
            : $"{progress.Phase}: {Amount(progress.Done)}";
    }

    private static string Bar(MaintenanceProgress progress)
    {
        var filled = progress.Total > 0 ? (int)(BarWidth * Math.Min(1.0, (double)progress.Done / progress.Total)) : 0;
        return $"[{new string('#', filled)}{new string('.', BarWidth - filled)}]";
    }

    private static int Percent(MaintenanceProgress progress) => (int)Math.Min(100, 100 * progress.Done / progress.Total);
}
