namespace NeonRegistry.Maintenance;

/// <summary>
/// How far one phase of a maintenance run has got, e.g. "sweeping blobs" 1200 of 5000.
/// <see cref="Total"/> is 0 while the phase does not yet know how much there is.
/// </summary>
public sealed record MaintenanceProgress(string Phase, long Done, long Total, ProgressUnit Unit = ProgressUnit.Items);
