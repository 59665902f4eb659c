namespace NeonRegistry.Storage;

/// <summary>
/// Publishes files so that a reader (in this process or another instance on the shared store) sees either the
/// old content or the whole new content, never a part: write a sibling temp file, flush it to disk, rename, flush
/// the directory that holds the new name.
/// </summary>
public static class AtomicFile
{
    public const string TempPrefix = ".tmp-";

    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temp = TempPathFor(path);
        try
        {
            await using (var stream = OpenTemp(temp))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            DirectorySync.Flush(Path.GetDirectoryName(path)!);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static Task WriteTextAsync(string path, string content, CancellationToken cancellationToken) =>
        WriteAsync(path, System.Text.Encoding.UTF8.GetBytes(content), cancellationToken);

    /// <summary>A fresh, empty temp file beside <paramref name="path"/>, for content streamed in by the caller.</summary>
    public static string TempPathFor(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N"));
    }

    /// <summary>Moves a complete, flushed file into place, replacing what was there.</summary>
    public static void Publish(string completePath, string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        File.Move(completePath, path, overwrite: true);
        DirectorySync.Flush(directory);
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left behind for the upload purger or GC; the name keeps it invisible meanwhile.
        }
    }

    private static FileStream OpenTemp(string temp) =>
        new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
}
