namespace NeonRegistry.Tests.Support;

/// <summary>Backdates files, so a test can make content older than a grace period without waiting for it.</summary>
public static class FileAges
{
    /// <summary>Makes every file under <paramref name="root"/>, hidden ones included, last written <paramref name="age"/> ago.</summary>
    public static void Backdate(string root, TimeSpan age)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        foreach (var file in Directory.EnumerateFiles(root, "*", options))
        {
            Backdate(file, age, isFile: true);
        }

        foreach (var directory in Directory.EnumerateDirectories(root, "*", options))
        {
            Backdate(directory, age, isFile: false);
        }
    }

    public static void BackdateFile(string path, TimeSpan age) => Backdate(path, age, isFile: true);

    /// <summary>Every file's path and time of last write, to show a run changed nothing at all.</summary>
    public static IReadOnlyDictionary<string, DateTime> Snapshot(string root) =>
        Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .ToDictionary(f => Path.GetRelativePath(root, f), File.GetLastWriteTimeUtc);

    private static void Backdate(string path, TimeSpan age, bool isFile)
    {
        var time = DateTime.UtcNow - age;
        if (isFile)
        {
            File.SetLastWriteTimeUtc(path, time);
        }
        else
        {
            Directory.SetLastWriteTimeUtc(path, time);
        }
    }
}
