using NeonRegistry.Maintenance;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// A reporter that runs an action once, on the maintenance run's own thread, when a phase first reports progress:
/// an exact point to interleave a push with the run.
/// </summary>
public sealed class PhaseHook(string phase, Action action) : IMaintenanceReporter
{
    private bool _done;

    public void Progress(MaintenanceProgress progress)
    {
        if (!_done && progress.Phase == phase)
        {
            _done = true;
            action();
        }
    }

    public void Report(MaintenanceEvent maintenanceEvent)
    {
    }
}
