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
    // One line per error, each a whole sentence (the upstreams file may have several).
    foreach (var line in e.Message.Split('\n'))
    {
        Console.Error.WriteLine($"neon-registry: {line}");
    }

    return 1;
}
