using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Xunit.Sdk;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// The one way the tests start a program. Its environment changes are the child's only (never this process's,
/// since tests run in parallel), stdin is closed, both pipes are drained while it runs (stdout also kept as bytes:
/// <c>skopeo inspect --raw</c> prints a manifest whose digest matters) into one log of lines, and a child still
/// running when the test host exits is killed rather than orphaned. <see cref="RunAsync"/> runs a program to
/// completion; servers and daemons keep the instance from <see cref="Start"/> and stop it.
/// </summary>
public sealed class ExternalCommand : IAsyncDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(15);
    private static readonly ConcurrentDictionary<Process, byte> Running = new();

    private readonly Process _process;
    private readonly Action<string>? _onLine;
    private readonly StringBuilder _log = new();
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();
    private readonly Task _pumps;

    static ExternalCommand()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Keys)
            {
                KillTree(process);
            }
        };
    }

    private ExternalCommand(Process process, string commandLine, Action<string>? onLine, bool readStdout)
    {
        _process = process;
        _onLine = onLine;
        CommandLine = commandLine;
        // So the output of a process that died under a test says how (137 is SIGKILL, 143 SIGTERM).
        process.Exited += (_, _) => OnLine($"[{Path.GetFileName(process.StartInfo.FileName)} exited with status {process.ExitCode}]");
        process.Start();
        Running.TryAdd(process, 0);
        process.StandardInput.Close();
        _pumps = Task.WhenAll(
            readStdout ? PumpAsync(process.StandardOutput.BaseStream, _stdout) : Task.CompletedTask,
            PumpAsync(process.StandardError.BaseStream, _stderr));
    }

    /// <summary>The program and its arguments, for failure messages.</summary>
    public string CommandLine { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Its stdout, for a caller that started it with readStdout false to read at its own pace.</summary>
    public StreamReader StandardOutput => _process.StandardOutput;

    /// <summary>Every line it wrote to stdout and stderr so far, in the order they came, and how it ended.</summary>
    public string Output
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Runs a program to completion; one that outlives <paramref name="timeout"/> (a minute if null) is killed and fails the test.</summary>
    /// <param name="environment">Variables to set; a null value removes the variable.</param>
    public static async Task<CommandResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        await using var command = Start(program, arguments, environment, workingDirectory);
        return await command.WaitAsync(timeout ?? DefaultTimeout);
    }

    /// <summary>Runs a script of the repository with bash, from the repository's root.</summary>
    public static Task<CommandResult> BashAsync(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null) =>
        RunAsync("bash", [RepositoryRoot.File(script), .. arguments], environment, RepositoryRoot.Path, timeout);

    /// <summary>Starts a program and returns at once. A program that cannot be found throws Win32Exception.</summary>
    /// <param name="environment">Variables to set; a null value removes the variable.</param>
    /// <param name="onLine">Called with each line of either pipe as it arrives.</param>
    /// <param name="readStdout">False leaves stdout unread, for <see cref="StandardOutput"/>: a child that writes faster than it is read then blocks.</param>
    public static ExternalCommand Start(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        Action<string>? onLine = null,
        bool readStdout = true)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        return new ExternalCommand(process, string.Join(' ', start.ArgumentList.Prepend(program)), onLine, readStdout);
    }

    /// <summary>Waits for it to end and the pipes to close; if it takes longer than <paramref name="timeout"/>, kills it and fails the test.</summary>
    public async Task<CommandResult> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            // A grandchild that kept a pipe open must not hang the test either.
            await _pumps.WaitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree(_process);
            throw new XunitException($"{CommandLine} did not finish within {timeout}:\n{Output}");
        }

        return new CommandResult(CommandLine, _process.ExitCode, _stdout.ToArray(), Encoding.UTF8.GetString(_stderr.ToArray()));
    }

    /// <summary>Completes once it has exited and its output is read to the end, so a failure message holds all of it.</summary>
    public async Task ExitedAsync()
    {
        await _process.WaitForExitAsync();
        await _pumps;
    }

    /// <summary>Sends a signal (SIGTERM, SIGINT) to the process itself, as an orchestrator or a terminal would.</summary>
    public void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastWin32Error()}");
        }
    }

    /// <summary>SIGKILL to it and its children: it dies at whatever instruction it is on. Returns once it is gone.</summary>
    public void Kill()
    {
        KillTree(_process);
        if (!_process.WaitForExit(KillTimeout))
        {
            throw new TimeoutException($"{CommandLine} (process {_process.Id}) did not die within {KillTimeout} of SIGKILL");
        }
    }

    /// <summary>SIGTERM, then waits; one that does not end within <paramref name="timeout"/> is killed and the call throws.</summary>
    /// <returns>The exit status.</returns>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            if (kill(_process.Id, SigTerm) != 0)
            {
                KillTree(_process);
            }

            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
                throw new TimeoutException($"{CommandLine} (process {_process.Id}) did not stop within {timeout} of SIGTERM; it was killed. Output:\n{Output}");
            }
        }

        return _process.ExitCode;
    }

    /// <summary>Kills it if it still runs. Idempotent: a test may stop a fixture's process before the fixture ends.</summary>
    public ValueTask DisposeAsync()
    {
        if (!Running.TryRemove(_process, out _))
        {
            return ValueTask.CompletedTask;
        }

        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task PumpAsync(Stream pipe, MemoryStream bytes)
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var buffer = new byte[16 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        var line = new StringBuilder();
        int read;
        while ((read = await pipe.ReadAsync(buffer)) > 0)
        {
            bytes.Write(buffer, 0, read);
            var count = decoder.GetChars(buffer, 0, read, chars, 0);
            foreach (var c in chars.AsSpan(0, count))
            {
                if (c == '\n')
                {
                    OnLine(line.ToString().TrimEnd('\r'));
                    line.Clear();
                }
                else
                {
                    line.Append(c);
                }
            }
        }

        if (line.Length > 0)
        {
            OnLine(line.ToString());
        }
    }

    private void OnLine(string line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }

        _onLine?.Invoke(line);
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
