namespace NeonRegistry.Integration.Support;

/// <summary>
/// Tests that load every core for minutes (the ahead-of-time publish) run after the parallel ones, alone, so the
/// load does not starve the servers of tests that run meanwhile into their request timeouts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
