using System.Diagnostics;
using Xunit.Sdk;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// Runs a program to completion with changes to its environment only (never this process's, since tests run in
/// parallel), draining both pipes while it runs, and fails the test if it outlives its timeout.
/// </summary>
public static class ExternalCommand
{
    /// <param name="environment">Variables to set; a null value removes the variable.</param>
    public static async Task<CommandResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

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

        using var process = Process.Start(start) ?? throw new XunitException($"could not start {program}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new XunitException($"{program} {string.Join(' ', arguments)} did not finish within {limit}:\n{await stdout}\n{await stderr}");
        }

        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a script of the repository with bash, from the repository's root.</summary>
    public static Task<CommandResult> BashAsync(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null) =>
        RunAsync("bash", [RepositoryRoot.File(script), .. arguments], environment, RepositoryRoot.Path, timeout);
}
