using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>
/// A <see cref="BlobIntake"/> failed (a short, corrupt or stalled body, a store fault): what a reader following it
/// already sent is not the blob, so the reader must abort its response rather than end it.
/// </summary>
public sealed class BlobIntakeFailedException(Digest digest, string origin, Exception cause)
    : Exception($"fetching {digest} from {origin} failed: {cause.Message}", cause);
