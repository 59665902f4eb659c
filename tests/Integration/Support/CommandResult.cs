using System.Text;
using Xunit.Sdk;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// How an external command ended and what it printed. Stdout stays bytes too: <c>skopeo inspect --raw</c> prints a
/// manifest whose digest matters.
/// </summary>
public sealed record CommandResult(string CommandLine, int ExitCode, byte[] StdoutBytes, string Stderr)
{
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    public string Output => Stdout + Stderr;

    public void Deconstruct(out int exitCode, out string stdout, out string stderr) => (exitCode, stdout, stderr) = (ExitCode, Stdout, Stderr);

    /// <summary>This result if the command succeeded; otherwise fails the test with the command line and its output.</summary>
    public CommandResult EnsureSuccess() => ExitCode == 0 ? this : throw new XunitException(ToString());

    public override string ToString() => $"{CommandLine}: exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}
