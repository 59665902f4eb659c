using System.Text;
using Microsoft.Extensions.Configuration;
using NeonRegistry.Commands;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// Runs a maintenance subcommand in this process, exactly as <c>neon-registry &lt;command&gt;</c> would, with
/// STORAGE_PATH (and any other settings) passed in memory and the console captured. Progress comes as plain lines, each one written.
/// </summary>
public static class MaintenanceRun
{
    public static async Task<CommandResult> RunAsync(
        string storagePath,
        string[] arguments,
        bool terminal = false,
        IReadOnlyDictionary<string, string?>? settings = null,
        CancellationToken cancellationToken = default)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["STORAGE_PATH"] = storagePath };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new MaintenanceConsole(output, error, terminal, PlainInterval: TimeSpan.Zero);
        var exitCode = await MaintenanceCommands.RunAsync(arguments, configuration, console, cancellationToken);
        return new CommandResult(string.Join(' ', arguments.Prepend("neon-registry")), exitCode, Encoding.UTF8.GetBytes(output.ToString()), error.ToString());
    }
}
