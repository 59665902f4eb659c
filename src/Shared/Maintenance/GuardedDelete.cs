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
        var aside = Path.Combine(Path.GetDirectoryName(path)!, StorageLayout.SetAsidePrefix + Path.GetFileName(path));
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

    /// <summary>
    /// Puts back the files a run that died mid-judgement left aside: they may have been in use, and deciding is
    /// the job of the run about to start. Only one deleting run holds the store at a time, so none is in progress.
    /// </summary>
    public static void RestoreInterrupted(StorageLayout layout)
    {
        var asides = new[] { layout.BlobsRoot, layout.RepositoriesRoot }
            .Where(Directory.Exists)
            .SelectMany(root => Directory.EnumerateFiles(root, StorageLayout.SetAsidePrefix + "*", SearchOption.AllDirectories))
            .ToList();
        foreach (var aside in asides)
        {
            var original = Path.Combine(Path.GetDirectoryName(aside)!, Path.GetFileName(aside)[StorageLayout.SetAsidePrefix.Length..]);
            try
            {
                File.Move(aside, original);
            }
            catch (IOException) when (File.Exists(original))
            {
                // Stored again meanwhile: content addressing makes that copy the same bytes.
                File.Delete(aside);
            }
        }
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
