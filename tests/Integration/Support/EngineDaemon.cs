using System.Diagnostics;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// A daemon of a container engine (containerd, dockerd) run by the tests: its output goes to a log file in its
/// own directory, and stopping it is a SIGTERM (so it shuts its containers down) with a kill as the last resort.
/// </summary>
public sealed class EngineDaemon
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;

    private EngineDaemon(Process process, string logPath)
    {
        _process = process;
        LogPath = logPath;
    }

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    public static EngineDaemon Start(string program, IEnumerable<string> arguments, string logPath)
    {
        // Through the shell, so that the output goes straight to the file and nothing in this process has to drain it.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$NEON_DAEMON_LOG\" 2>&1");
        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NEON_DAEMON_LOG"] = logPath;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        process.StandardInput.Close();
        return new EngineDaemon(process, logPath);
    }

    /// <summary>The last lines of its log, for a skip reason or a failure message.</summary>
    public string LogTail(int lines = 15)
    {
        try
        {
            return string.Join('\n', File.ReadAllLines(LogPath).TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    /// <summary>Polls <paramref name="ready"/> until it answers true, the daemon exits, or the timeout passes.</summary>
    public async Task<bool> WaitUntilAsync(Func<Task<bool>> ready, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            if (await ready())
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }

    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            await ExternalCommand.RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var wait = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }
}
