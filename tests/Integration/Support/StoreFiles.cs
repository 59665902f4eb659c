namespace NeonRegistry.Integration.Support;

/// <summary>Direct access to a store's files, for the states a test cannot reach over HTTP: old content, damage.</summary>
public static class StoreFiles
{
    private static readonly EnumerationOptions Everything = new() { RecurseSubdirectories = true, AttributesToSkip = 0 };

    /// <summary>Makes every file and directory under <paramref name="root"/> last written <paramref name="age"/> ago.</summary>
    public static void Backdate(string root, TimeSpan age)
    {
        var time = DateTime.UtcNow - age;
        foreach (var file in Directory.EnumerateFiles(root, "*", Everything))
        {
            File.SetLastWriteTimeUtc(file, time);
        }

        foreach (var directory in Directory.EnumerateDirectories(root, "*", Everything))
        {
            Directory.SetLastWriteTimeUtc(directory, time);
        }
    }

    /// <summary>Every file's path and time of last write: equal snapshots mean nothing changed.</summary>
    public static IReadOnlyDictionary<string, DateTime> Snapshot(string root) =>
        Directory.EnumerateFiles(root, "*", Everything).ToDictionary(f => Path.GetRelativePath(root, f), File.GetLastWriteTimeUtc);

    public static void FlipByte(string path, int offset)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }
}
