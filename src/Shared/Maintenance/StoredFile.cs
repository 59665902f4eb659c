namespace NeonRegistry.Maintenance;

/// <summary>A file as a scan found it: where it is, how big, and when it was last written or used.</summary>
internal sealed record StoredFile(string Path, long Size, DateTimeOffset LastWrite)
{
    public static StoredFile Of(FileInfo file) => new(file.FullName, file.Length, file.LastWriteTimeUtc);
}
