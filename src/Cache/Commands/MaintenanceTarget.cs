using NeonRegistry.Storage;

namespace NeonRegistry.Commands;

/// <summary>The store a maintenance command works on, and whether it is a pull-through cache's (REMOTE_URL set).</summary>
internal sealed record MaintenanceTarget(StorageLayout Layout, bool IsCacheStore);
