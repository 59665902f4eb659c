using NeonRegistry;
using NeonRegistry.Commands;
using NeonRegistry.Configuration;

if (MaintenanceCommands.IsCommand(args))
{
    return await MaintenanceCommands.RunFromConsoleAsync(args);
}

try
{
    if (args is [HealthCheckCommand.Name, .. var rest])
    {
        return await HealthCheckCommand.RunAsync(rest);
    }

    await RegistryApp.Create(args).RunAsync();
    return 0;
}
catch (SettingsException e)
{
    Console.Error.WriteLine($"neon-registry: {e.Message}");
    return 1;
}
