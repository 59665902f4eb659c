namespace NeonRegistry.Configuration;

/// <summary>A file's size and modification time when it was read: a change in either means it must be read again.</summary>
internal readonly record struct FileVersion(string Path, DateTime Modified, long Length)
{
    public static FileVersion Of(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? new FileVersion(path, file.LastWriteTimeUtc, file.Length) : new FileVersion(path, default, -1);
    }

    public bool Changed => Of(Path) != this;
}
