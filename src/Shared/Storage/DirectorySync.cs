using System.Runtime.InteropServices;

namespace NeonRegistry.Storage;

/// <summary>
/// Makes a rename or a new file durable. A file's data is flushed before it is renamed into place, but the new
/// name lives in its directory: until that is flushed too, a power loss (or, on CephFS, a metadata server failing
/// over) can take back a push the client was told had succeeded. Directories created on the way need no flush of
/// their own: the journalling filesystems a registry runs on (ext4, XFS, CephFS's metadata journal) commit metadata
/// in order, so the flush of a new name also commits the directories above it.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    // O_CLOEXEC, so a child process started meanwhile does not inherit the descriptor.
    private static readonly int CloseOnExec = OperatingSystem.IsLinux() ? 0x80000 : 0x1000000;
    private const int Interrupted = 4;

    // EINVAL: the filesystem cannot flush a directory (some FUSE and network filesystems); it keeps names its own way.
    private const int NotSupported = 22;

    /// <exception cref="IOException">The directory could not be opened or flushed.</exception>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            // NTFS journals a rename before the call returns; there is no directory handle to flush.
            return;
        }

        var descriptor = Open(directory, ReadOnly | CloseOnExec);
        if (descriptor < 0)
        {
            throw Failure("open", directory);
        }

        try
        {
            int result;
            do
            {
                result = Fsync(descriptor);
            }
            while (result != 0 && Marshal.GetLastPInvokeError() == Interrupted);

            if (result != 0 && Marshal.GetLastPInvokeError() != NotSupported)
            {
                throw Failure("flush", directory);
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    private static IOException Failure(string action, string directory) =>
        new($"could not {action} directory {directory}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
