namespace NeonRegistry.Maintenance;

/// <summary>What a <see cref="MaintenanceProgress"/> counts: things (blobs, manifests, uploads) or bytes.</summary>
public enum ProgressUnit
{
    Items,
    Bytes,
}
