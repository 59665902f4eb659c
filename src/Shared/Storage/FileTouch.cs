namespace NeonRegistry.Storage;

/// <summary>
/// Renews a stored file's age, on the same <see cref="TimeProvider"/> as garbage collection's grace period, which
/// counts from a blob's or a revision's modification time: a push renews that time, a cache's read renews the
/// access time its eviction orders by. A file written anew takes the filesystem's own time, which is the system
/// clock's, as <see cref="TimeProvider.System"/> is in production; renewing it too would cost a round trip per write.
/// </summary>
public sealed class FileTouch(TimeProvider clock)
{
    /// <summary>Sets the file's modification time to now: a push wrote or used it.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public void Renew(string path) => File.SetLastWriteTimeUtc(path, Now);

    /// <summary><see cref="Renew"/>, for a file that may be gone.</summary>
    /// <returns>False when the file does not exist.</returns>
    public bool TryRenew(string path)
    {
        try
        {
            Renew(path);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Sets the file's access time to now: it was served, which a cache's least-recently-used eviction counts.</summary>
    /// <returns>False only when the file is gone; a store that refuses the write (read-only, full) still serves what it holds.</returns>
    public bool TryMarkRead(string path)
    {
        try
        {
            File.SetLastAccessTimeUtc(path, Now);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
