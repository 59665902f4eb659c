namespace NeonRegistry.Maintenance;

/// <summary>What <see cref="GuardedDelete.DeleteIfUnusedSince"/> did.</summary>
internal enum DeleteOutcome
{
    Deleted,

    /// <summary>Written or used since the cutoff: left in place.</summary>
    InUse,

    /// <summary>Deleted by someone else first.</summary>
    AlreadyGone,
}
