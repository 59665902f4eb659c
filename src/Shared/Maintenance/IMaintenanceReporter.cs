namespace NeonRegistry.Maintenance;

/// <summary>
/// Receives what a maintenance run (garbage collection, upload purging, verification) does, as it does it: a console
/// draws a progress bar and prints each event, the running registry logs them, tests record them.
/// </summary>
/// <remarks>
/// Both methods are called on the thread that runs the job, between steps, never concurrently. They must not throw
/// and should return quickly: <see cref="Progress"/> is called for every item, so an implementation throttles its
/// own output.
/// </remarks>
public interface IMaintenanceReporter
{
    /// <summary>How far the current phase has got.</summary>
    void Progress(MaintenanceProgress progress);

    /// <summary>One thing done, found, or (in a dry run) that would be done, in the order it happens.</summary>
    void Report(MaintenanceEvent maintenanceEvent);
}
