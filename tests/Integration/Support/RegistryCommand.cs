namespace NeonRegistry.Integration.Support;

/// <summary>
/// Runs the registry binary to completion with settings in the child's environment only, for the cases that
/// end by themselves: refused settings at start-up, subcommands.
/// </summary>
public static class RegistryCommand
{
    public static string Binary => Path.Combine(AppContext.BaseDirectory, "neon-registry.dll");

    public static Task<CommandResult> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        // Start from a clean slate so the test machine's own variables cannot change the outcome.
        var settings = RegistrySettings.Cleared();
        foreach (var (name, value) in environment)
        {
            settings[name] = value;
        }

        return ExternalCommand.RunAsync("dotnet", [Binary, .. arguments], settings);
    }
}
