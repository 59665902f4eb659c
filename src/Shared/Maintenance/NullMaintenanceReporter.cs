namespace NeonRegistry.Maintenance;

/// <summary>A reporter that ignores everything, for runs whose summary is all the caller wants.</summary>
public sealed class NullMaintenanceReporter : IMaintenanceReporter
{
    public static readonly NullMaintenanceReporter Instance = new();

    private NullMaintenanceReporter()
    {
    }

    public void Progress(MaintenanceProgress progress)
    {
    }

    public void Report(MaintenanceEvent maintenanceEvent)
    {
    }
}
