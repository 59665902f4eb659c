using NeonRegistry.Hosting;

namespace NeonRegistry;

/// <summary>Builds the registry application; <c>Program</c> runs it, tests start it on a loopback port.</summary>
internal static class RegistryApp
{
    /// <param name="settings">Settings that take precedence over the environment, as tests pass them.</param>
    /// <exception cref="Configuration.SettingsException">A setting is missing or malformed.</exception>
    public static WebApplication Create(string[] args, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddRegistry();
        var app = builder.Build();
        app.MapRegistryApi();
        return app;
    }
}
