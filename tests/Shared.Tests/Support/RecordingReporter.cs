using NeonRegistry.Maintenance;
using NeonRegistry.Oci;

namespace NeonRegistry.Tests.Support;

/// <summary>
/// Records what a maintenance run reports, and lets a test act at a chosen moment of the run: on each progress
/// report, on the job's own thread, which is how a test interleaves a push or a cancellation deterministically.
/// </summary>
public sealed class RecordingReporter(Action<MaintenanceProgress>? onProgress = null) : IMaintenanceReporter
{
    public List<MaintenanceEvent> Events { get; } = [];

    public List<string> Phases { get; } = [];

    public void Progress(MaintenanceProgress progress)
    {
        if (Phases.Count == 0 || Phases[^1] != progress.Phase)
        {
            Phases.Add(progress.Phase);
        }

        onProgress?.Invoke(progress);
    }

    public void Report(MaintenanceEvent maintenanceEvent) => Events.Add(maintenanceEvent);

    public IReadOnlyList<Digest> Digests(MaintenanceEventKind kind) =>
        Events.Where(e => e.Kind == kind).Select(e => e.Digest!.Value).ToList();

    public IReadOnlyList<MaintenanceEvent> OfKind(MaintenanceEventKind kind) => Events.Where(e => e.Kind == kind).ToList();
}
