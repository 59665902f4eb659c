using NeonRegistry;
using NeonRegistry.Configuration;

try
{
    await RegistryApp.Create(args).RunAsync();
    return 0;
}
catch (SettingsException e)
{
    Console.Error.WriteLine($"neon-registry: {e.Message}");
    return 1;
}
