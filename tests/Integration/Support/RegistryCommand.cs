using System.Diagnostics;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// Runs the registry binary to completion with settings in the child's environment only, for the cases that
/// end by themselves: refused settings at start-up.
/// </summary>
public static class RegistryCommand
{
    public static string Binary => Path.Combine(AppContext.BaseDirectory, "neon-registry.dll");

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Binary);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Start from a clean slate so the test machine's own variables cannot change the outcome.
        foreach (var name in new[] { "USERNAME", "PASSWORD", "SECRET", "STORAGE_PATH", "PORT", "READ_ONLY", "LOG_LEVEL", "LOG_FORMAT", "HOST", "HTPASSWD_FILE", "DELETE_ENABLED", "REMOTE_URL", "USER" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"the registry did not exit within 60 s:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
