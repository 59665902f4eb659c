namespace NeonRegistry.Oci;

/// <summary>
/// Raised for input the registry refuses: a bad name or digest, a digest mismatch, an upload out of order.
/// An ordinary miss is not an exception: lookups return null instead.
/// </summary>
public sealed class RegistryException(OciErrorCode code, string message, IReadOnlyDictionary<string, string>? detail = null)
    : Exception(message)
{
    public OciErrorCode Code { get; } = code;

    /// <summary>Extra machine-readable context for the error envelope's <c>detail</c> field.</summary>
    public IReadOnlyDictionary<string, string>? Detail { get; } = detail;

    /// <summary>For TOOMANYREQUESTS and UNAVAILABLE: when the client may usefully try again.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
