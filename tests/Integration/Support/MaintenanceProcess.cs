using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// A maintenance subcommand as its own OS process, with STORAGE_PATH and nothing else in its environment, for what
/// only a real process shows: signals. The test reads stdout at its own pace: a process that writes faster than it
/// is read blocks on the full pipe, which pins it mid-run for as long as the test likes.
/// </summary>
public sealed class MaintenanceProcess : IDisposable
{
    private const int SigInt = 2;

    private readonly Process _process;
    private readonly Task<string> _stderr;

    private MaintenanceProcess(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public StreamReader Stdout => _process.StandardOutput;

    public static MaintenanceProcess Start(string storagePath, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RegistryCommand.Binary);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only what the dotnet host needs, and the store: no login or secret, which maintenance must not require.
        var inherited = new[] { "PATH", "HOME", "DOTNET_ROOT", "TMPDIR" }
            .Select(name => (name, value: Environment.GetEnvironmentVariable(name)))
            .Where(v => v.value is not null)
            .ToList();
        start.Environment.Clear();
        foreach (var (name, value) in inherited)
        {
            start.Environment[name] = value;
        }

        start.Environment["STORAGE_PATH"] = storagePath;
        return new MaintenanceProcess(Process.Start(start)!);
    }

    /// <summary>Ctrl-C, as a terminal delivers it.</summary>
    public void Interrupt()
    {
        if (kill(_process.Id, SigInt) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGINT) failed: errno {Marshal.GetLastWin32Error()}");
        }
    }

    /// <summary>Reads the rest of stdout and waits for the process to end.</summary>
    public async Task<(int ExitCode, string RestOfStdout, string Stderr)> WaitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var rest = await Stdout.ReadToEndAsync(cancellation.Token);
        await _process.WaitForExitAsync(cancellation.Token);
        return (_process.ExitCode, rest, await _stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
