namespace NeonRegistry.Integration.Support;

/// <summary>
/// The stand-in docker CLI (fake-docker.sh) installed as "docker" in a directory of its own, with its state:
/// the calls it received and the containers it knows. <see cref="Environment"/> puts it first on PATH.
/// </summary>
public sealed class FakeDocker : IDisposable
{
    private readonly string _root;
    private readonly string _state;

    public FakeDocker()
    {
        _root = TempDirectory.Create("fake-docker");
        var bin = Path.Combine(_root, "bin");
        _state = Path.Combine(_root, "state");
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(Path.Combine(_state, "containers"));
        var docker = Path.Combine(bin, "docker");
        File.Copy(RepositoryRoot.File("tests/Integration/Support/fake-docker.sh"), docker);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(docker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Environment = new Dictionary<string, string?>
        {
            ["PATH"] = $"{bin}:{System.Environment.GetEnvironmentVariable("PATH")}",
            ["FAKE_DOCKER_DIR"] = _state,
        };
    }

    /// <summary>The variables that make a script find this docker; add FAKE_DOCKER_* answers to it.</summary>
    public Dictionary<string, string?> Environment { get; }

    /// <summary>Each docker call, its arguments joined by spaces, in order.</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            var log = Path.Combine(_state, "calls");
            return File.Exists(log) ? File.ReadAllLines(log) : [];
        }
    }

    /// <summary>The variables the last <c>docker run</c> saw, which it hands on to the container for <c>--env NAME</c>.</summary>
    public string RunEnvironment => File.ReadAllText(Path.Combine(_state, "run-environment"));

    public void AddContainer(string name, string status, string image) =>
        File.WriteAllText(Path.Combine(_state, "containers", name), $"{status} {image}\n");

    /// <summary>"STATUS IMAGE" of a container, or null when there is none by that name.</summary>
    public string? Container(string name)
    {
        var path = Path.Combine(_state, "containers", name);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    public void Dispose() => TempDirectory.Delete(_root);
}
