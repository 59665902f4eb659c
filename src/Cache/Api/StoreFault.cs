using NeonRegistry.Oci;

namespace NeonRegistry.Api;

/// <summary>
/// The store's filesystem faults that only an operator can fix, told apart from bugs: a full store and one that
/// refuses writes. On Linux .NET carries the errno as the <see cref="IOException.HResult"/> of an I/O error it has no
/// type for, and turns EACCES and EPERM into <see cref="UnauthorizedAccessException"/>.
/// </summary>
internal static class StoreFault
{
    private const int NoSpace = 28; // ENOSPC
    private const int ReadOnlyFileSystem = 30; // EROFS
    private const int QuotaExceeded = 122; // EDQUOT

    /// <returns>The client's error for a store fault, or null for any other exception.</returns>
    public static RegistryException? ErrorOrNull(Exception exception) => exception switch
    {
        IOException { HResult: NoSpace or QuotaExceeded } => new RegistryException(
            OciErrorCode.StoreFull,
            "the registry's store is full (no space or quota left): nothing can be pushed until its operator frees space; pulls still work"),
        IOException { HResult: ReadOnlyFileSystem } => new RegistryException(
            OciErrorCode.StoreReadOnly,
            "the registry's store is read-only: nothing can be pushed until its operator makes it writable; pulls still work"),
        UnauthorizedAccessException => new RegistryException(
            OciErrorCode.StoreReadOnly,
            "the registry's store refuses access (permission denied): its operator must fix the store's ownership"),
        _ => null,
    };
}
