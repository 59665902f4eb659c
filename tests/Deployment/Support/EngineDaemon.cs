using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>
/// A daemon of a container engine (containerd, dockerd) run by the tests: its output goes to a log file in its
/// own directory, and stopping it is a SIGTERM (so it shuts its containers down) with a kill as the last resort.
/// </summary>
public sealed class EngineDaemon
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly ExternalCommand _command;

    private EngineDaemon(ExternalCommand command, string logPath)
    {
        _command = command;
        LogPath = logPath;
    }

    public string LogPath { get; }

    public static EngineDaemon Start(string program, IEnumerable<string> arguments, string logPath)
    {
        // Through the shell, so that the output goes straight to the file and no pipe of this process is held by
        // the engine's own children (shims) for the rest of the run.
        var command = ExternalCommand.Start(
            "/bin/sh",
            ["-c", "exec \"$0\" \"$@\" >>\"$NEON_DAEMON_LOG\" 2>&1", program, .. arguments],
            new Dictionary<string, string?> { ["NEON_DAEMON_LOG"] = logPath });
        return new EngineDaemon(command, logPath);
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
        while (DateTime.UtcNow < deadline && !_command.HasExited)
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
        try
        {
            await _command.StopAsync(StopTimeout);
        }
        catch (TimeoutException)
        {
            // Killed instead: the run goes on without it.
        }

        await _command.DisposeAsync();
    }
}
