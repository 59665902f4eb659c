using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NeonRegistry.Storage;

/// <summary>
/// An exclusive advisory lock (<c>flock</c>) on an open file, released when the handle closes or the process dies.
/// The registry turns off the lock .NET takes on every open (<c>System.IO.DisableFileLocking</c>, set for every
/// project in Directory.Build.props): it cost two extra system calls on every read of a tag, manifest or blob, and
/// on CephFS two round trips to the metadata server. Only an upload in progress needs a lock, and takes it here.
/// </summary>
internal static partial class FileLock
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int Interrupted = 4;

    // EWOULDBLOCK: 11 on Linux, 35 on macOS and the BSDs.
    private static readonly int WouldBlock = OperatingSystem.IsLinux() ? 11 : 35;

    // Long enough to outlast a lock that lingers a moment after its holder is done (see below); a holder that is
    // really still at work is refused after it.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Takes the lock, waiting up to two seconds for a holder to let go, so a request that arrives
    /// as another on the same file finishes continues after it instead of failing. A lock can also outlive its
    /// request by a moment: a child process started meanwhile (a test host starts many) holds a copy of every open
    /// handle, and so the lock, until it executes its program. Retries back off, since on CephFS each one asks
    /// the metadata server.
    /// </summary>
    /// <returns>
    /// False when another handle still holds the lock after the wait, in this process or in another instance
    /// sharing the store. True also on a filesystem without locks, as .NET's own locking behaves.
    /// </returns>
    public static async Task<bool> TryLockExclusiveAsync(SafeFileHandle file, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var retry = FirstRetry;
        while (!TryLockExclusive(file))
        {
            var left = Patience - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await Task.Delay(retry < left ? retry : left, cancellationToken);
            retry = retry * 2 < LongestRetry ? retry * 2 : LongestRetry;
        }

        return true;
    }

    /// <returns>False when another handle holds the lock at this moment; see <see cref="TryLockExclusiveAsync"/>.</returns>
    public static bool TryLockExclusive(SafeFileHandle file)
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows enforces the FileShare.None the file was opened with; the switch above is Unix-only.
            return true;
        }

        int error;
        do
        {
            if (Flock(file, LockExclusive | LockNonBlocking) == 0)
            {
                return true;
            }

            error = Marshal.GetLastPInvokeError();
        }
        while (error == Interrupted);

        return error != WouldBlock;
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle file, int operation);
}
