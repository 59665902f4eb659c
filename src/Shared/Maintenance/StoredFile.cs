namespace NeonRegistry.Maintenance;

/// <summary>A file as a scan found it: where it is, how big, and when it was last written or used.</summary>
internal sealed record StoredFile(string Path, long Size, DateTimeOffset LastWrite)
{
    /// <summary>The file's size and time, or null when it vanished between the listing and now (renamed or deleted by a push).</summary>
    public static StoredFile? OrNull(FileInfo file)
    {
        try
        {
            return file.Exists ? new StoredFile(file.FullName, file.Length, file.LastWriteTimeUtc) : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
