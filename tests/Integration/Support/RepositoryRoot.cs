namespace NeonRegistry.Integration.Support;

/// <summary>The checkout the tests were built from, for the tests that run its scripts and read its Dockerfile.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string File(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(directory.FullName, "NeonRegistry.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no NeonRegistry.slnx above {AppContext.BaseDirectory}");
    }
}
