using System.Text;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// A maintenance subcommand as its own OS process, with STORAGE_PATH and nothing else in its environment, for what
/// only a real process shows: signals. The test reads stdout at its own pace: a process that writes faster than it
/// is read blocks on the full pipe, which pins it mid-run for as long as the test likes.
/// </summary>
public sealed class MaintenanceProcess : IAsyncDisposable
{
    // Only what the dotnet host needs, and the store: no login or secret, which maintenance must not require.
    private static readonly string[] Inherited = ["PATH", "HOME", "DOTNET_ROOT", "TMPDIR"];

    private readonly ExternalCommand _command;

    private MaintenanceProcess(ExternalCommand command) => _command = command;

    public StreamReader Stdout => _command.StandardOutput;

    public static MaintenanceProcess Start(string storagePath, params string[] arguments)
    {
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(name => !Inherited.Contains(name))
            .ToDictionary(name => name, _ => (string?)null);
        environment["STORAGE_PATH"] = storagePath;
        return new MaintenanceProcess(ExternalCommand.Start("dotnet", [RegistryCommand.Binary, .. arguments], environment, readStdout: false));
    }

    /// <summary>Ctrl-C, as a terminal delivers it.</summary>
    public void Interrupt() => _command.Signal(ExternalCommand.SigInt);

    /// <summary>Reads the rest of stdout and waits for the process to end; the result's stdout is what the test had not read.</summary>
    public async Task<CommandResult> WaitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var rest = await Stdout.ReadToEndAsync(cancellation.Token);
        return await _command.WaitAsync(timeout) with { StdoutBytes = Encoding.UTF8.GetBytes(rest) };
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
