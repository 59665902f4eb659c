using NeonRegistry.Deployment.Support;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment;

/// <summary>Every shell script of the repository passes shellcheck (scripts/test.sh installs it from Debian).</summary>
public sealed class ShellcheckTests
{
    private static readonly string[] SkippedDirectories = [".git", "bin", "obj", "TestResults", "node_modules"];

    [Fact]
    public async Task EveryShellScript_PassesShellcheck()
    {
        var scripts = ShellScripts(RepositoryRoot.Path).Order(StringComparer.Ordinal).ToList();
        // The scripts this test exists for; if it stops finding them, the search is broken, not the scripts fixed.
        Assert.Contains(RepositoryRoot.File("docker/build.sh"), scripts);
        Assert.Contains(RepositoryRoot.File("scripts/upgrade-cache.sh"), scripts);
        Assert.Contains(RepositoryRoot.File(".ci/run"), scripts);

        CommandResult result;
        try
        {
            result = await ExternalCommand.RunAsync("shellcheck", ["--external-sources", .. scripts]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new Xunit.Sdk.XunitException("shellcheck is not installed: run scripts/test.sh, which installs it, or apt-get install shellcheck");
        }

        Assert.True(result.ExitCode == 0, $"shellcheck found problems:\n{result.Stdout}{result.Stderr}");
    }

    /// <summary>Files named *.sh, and files of any name whose first line is a shell's #! line (.ci/run).</summary>
    private static IEnumerable<string> ShellScripts(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            if (file.EndsWith(".sh", StringComparison.Ordinal) || HasShellShebang(file))
            {
                yield return file;
            }
        }

        foreach (var child in Directory.EnumerateDirectories(directory).Where(d => !SkippedDirectories.Contains(Path.GetFileName(d))))
        {
            foreach (var script in ShellScripts(child))
            {
                yield return script;
            }
        }
    }

    private static bool HasShellShebang(string file)
    {
        using var reader = new StreamReader(file);
        var first = reader.ReadLine() ?? "";
        return first.StartsWith("#!", StringComparison.Ordinal) && (first.EndsWith("bash", StringComparison.Ordinal) || first.EndsWith("/sh", StringComparison.Ordinal));
    }
}
