using NeonRegistry.Storage;

namespace NeonRegistry.Maintenance;

/// <summary>
/// Deletes a file only if it has not been written or used since a cutoff, judged after the file was taken out of
/// view. A push that uses the file renews its modification time; that either happens before the rename, and is
/// seen here, or fails because the file is gone, and the push stores its own copy or reports the content missing.
/// Either way no kept manifest is left naming a deleted file.
/// </summary>
internal static class GuardedDelete
{
    public static DeleteOutcome DeleteIfUnusedSince(string path, DateTimeOffset cutoff)
    {
        // A ".tmp-" sibling: hidden from every listing, and removed by a later run if this process dies holding it.
        var aside = AtomicFile.TempPathFor(path);
        try
        {
            File.Move(path, aside);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return DeleteOutcome.AlreadyGone;
        }

        if (File.GetLastWriteTimeUtc(aside) < cutoff.UtcDateTime)
        {
            File.Delete(aside);
            return DeleteOutcome.Deleted;
        }

        try
        {
            File.Move(aside, path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Stored again meanwhile by a push: content addressing makes that copy the same bytes.
            File.Delete(aside);
        }

        return DeleteOutcome.InUse;
    }

    /// <summary>Deletes a link file when the content it names is absent at this moment.</summary>
    /// <returns>True when the link was deleted.</returns>
    public static bool DeleteLinkIfTargetAbsent(string link, string target)
    {
        if (File.Exists(target) || !File.Exists(link))
        {
            return false;
        }

        try
        {
            File.Delete(link);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }
}
