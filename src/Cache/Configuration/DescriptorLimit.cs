using System.Globalization;

namespace NeonRegistry.Configuration;

/// <summary>
/// The default of MAX_CONNECTIONS, from the process's open-file limit (RLIMIT_NOFILE, which the .NET runtime raises
/// from its soft to its hard value at start): every connection is a descriptor, and while it is served it may hold
/// two more (the blob file it sends or the upload it writes, and in cache mode the upstream connection and fill
/// file). 128 more stay for the runtime, the log and the store's own files. Past its limit the process does not
/// fail cleanly: the runtime aborts ("Out of memory.") or Kestrel stops accepting.
/// </summary>
internal static class DescriptorLimit
{
    public const int Reserved = 128;
    public const int PerConnection = 3;

    /// <summary>Past this many, memory rather than descriptors is what runs out; a cap keeps a 1M limit from meaning 1M connections.</summary>
    public const int MaximumDefault = 16384;

    private const int MinimumDefault = 16;

    /// <summary>The default MAX_CONNECTIONS: (RLIMIT_NOFILE - 128) / 3, between 16 and 16384.</summary>
    public static int DefaultMaxConnections(long openFileLimit) =>
        (int)Math.Clamp((openFileLimit - Reserved) / PerConnection, MinimumDefault, MaximumDefault);

    /// <summary>This process's soft RLIMIT_NOFILE, read from <c>/proc/self/limits</c>; 1024 (the usual soft default) where that cannot be read.</summary>
    public static long Current()
    {
        const long usual = 1024;
        try
        {
            // "Max open files            1024                 4096                 files"
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(3);
            return soft == "unlimited" ? long.MaxValue
                : long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit
                : usual;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return usual;
        }
    }
}
