using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>A cache fill failed (short, corrupt or timed-out upstream body); readers must abort their responses.</summary>
internal sealed class BlobFillFailedException(Digest digest, Exception cause)
    : Exception($"fetching {digest} from the upstream failed: {cause.Message}", cause);
