using NeonRegistry.Oci;

namespace NeonRegistry.Maintenance;

/// <summary>One thing a maintenance run did or found, with a message written for the operator.</summary>
public sealed record MaintenanceEvent(MaintenanceEventKind Kind, string Message)
{
    /// <summary>The repository concerned, when there is one.</summary>
    public RepositoryName? Repository { get; init; }

    /// <summary>The blob or manifest concerned, when there is one.</summary>
    public Digest? Digest { get; init; }

    public override string ToString() => Message;
}
