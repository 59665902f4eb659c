using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>
/// A throwaway git repository holding a copy of docker/build.sh, so tests choose its branch and how dirty it
/// is. Git runs without the machine's own configuration, so nothing outside the test changes its answers.
/// </summary>
public sealed class ScratchCheckout : IDisposable
{
    private static readonly Dictionary<string, string?> GitEnvironment = new()
    {
        ["GIT_CONFIG_NOSYSTEM"] = "1",
        ["GIT_CONFIG_GLOBAL"] = "/dev/null",
        ["GIT_AUTHOR_NAME"] = "Test",
        ["GIT_AUTHOR_EMAIL"] = "test@example.invalid",
        ["GIT_COMMITTER_NAME"] = "Test",
        ["GIT_COMMITTER_EMAIL"] = "test@example.invalid",
    };

    private ScratchCheckout(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public string BuildScript => System.IO.Path.Combine(Path, "docker", "build.sh");

    /// <summary>A repository on main with one commit: the build script, a Dockerfile and a README.</summary>
    public static async Task<ScratchCheckout> CreateAsync()
    {
        var checkout = new ScratchCheckout(TempDirectory.Create("checkout"));
        Directory.CreateDirectory(System.IO.Path.Combine(checkout.Path, "docker"));
        File.Copy(RepositoryRoot.File("docker/build.sh"), checkout.BuildScript);
        await File.WriteAllTextAsync(System.IO.Path.Combine(checkout.Path, "docker", "Dockerfile"), "FROM scratch\n");
        await checkout.WriteAsync("README.md", "scratch\n");
        await checkout.GitAsync("init", "--quiet", "--initial-branch=main");
        await checkout.GitAsync("add", ".");
        await checkout.GitAsync("commit", "--quiet", "--message", "first");
        return checkout;
    }

    public Task WriteAsync(string relativePath, string content) => File.WriteAllTextAsync(System.IO.Path.Combine(Path, relativePath), content);

    /// <summary>Runs git in the checkout and returns its trimmed output; a failure fails the test.</summary>
    public async Task<string> GitAsync(params string[] arguments) => (await ExternalCommand.RunAsync("git", arguments, GitEnvironment, Path)).EnsureSuccess().Stdout.Trim();

    public void Dispose() => TempDirectory.Delete(Path);
}
