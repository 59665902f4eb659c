using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NeonRegistry.Storage;

/// <summary>
/// What one <c>stat</c> says about a file: its inode, size and change times. Every file the store rewrites is
/// replaced by a rename of a fresh file, so a rewrite always changes the inode; an equal stamp means the same
/// bytes, and content read once can be served again after one <c>stat</c> instead of open, read and close.
/// </summary>
/// <remarks>Linux only (<c>statx</c>); elsewhere <see cref="IsSupported"/> is false and nothing is cached by stamp.</remarks>
internal readonly partial record struct FileStamp(ulong Inode, long Size, long ModifiedSeconds, uint ModifiedNanoseconds, long ChangedSeconds, uint ChangedNanoseconds)
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint BasicStats = 0x7ff;
    private const int NoEntry = 2;
    private const int NotDirectory = 20;

    // A file changed within this long of being stamped may be changed again within the filesystem's timestamp
    // granularity by a file that reuses its inode (ext4 does), with the same size: such a stamp proves nothing.
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(2);

    public static bool IsSupported { get; } = OperatingSystem.IsLinux();

    /// <summary>The file's stamp, or null when it does not exist.</summary>
    /// <exception cref="IOException">Any other failure, e.g. a lost mount (ENOTCONN).</exception>
    public static FileStamp? OfOrNull(string path)
    {
        if (StatxPath(AtFdCwd, path, 0, BasicStats, out var buffer) == 0)
        {
            return From(buffer);
        }

        var error = Marshal.GetLastPInvokeError();
        return error is NoEntry or NotDirectory ? null : throw Failure(error, path);
    }

    /// <summary>The stamp of an open file: exactly the file the handle reads, whatever its path names now.</summary>
    public static FileStamp Of(SafeFileHandle file, string path) =>
        StatxHandle(file, "", AtEmptyPath, BasicStats, out var buffer) == 0 ? From(buffer) : throw Failure(Marshal.GetLastPInvokeError(), path);

    /// <summary>False while the file is too recently changed for its stamp to tell a later rewrite apart.</summary>
    public bool IsSettled(DateTimeOffset now) =>
        DateTimeOffset.FromUnixTimeSeconds(Math.Max(ModifiedSeconds, ChangedSeconds)) < now - Settled;

    private static FileStamp From(in Statx s) => new(s.Inode, (long)s.Size, s.MtimeSeconds, s.MtimeNanoseconds, s.CtimeSeconds, s.CtimeNanoseconds);

    private static IOException Failure(int error, string path) => new($"stat '{path}': {Marshal.GetPInvokeErrorMessage(error)}", error);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxPath(int directory, string path, int flags, uint mask, out Statx buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxHandle(SafeFileHandle file, string path, int flags, uint mask, out Statx buffer);

    // struct statx (linux/stat.h): the same layout on every architecture.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public long CtimeSeconds;
        [FieldOffset(104)] public uint CtimeNanoseconds;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
    }
}
