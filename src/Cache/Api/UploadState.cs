using System.Text.Json.Serialization;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Api;

/// <summary>
/// What a later request needs to know about an upload, carried by the client in the signed <c>_state</c> query
/// parameter of the upload URL rather than in any one instance's memory.
/// </summary>
/// <remarks>
/// A hash cannot be carried from one request to the next (its running state does not export), so the state carries
/// the finished hash of a first chunk only, in the upload's algorithm: the digest-algorithm the client declared when
/// it began the upload (distribution-spec: Pushing a blob in chunks), else sha256. A final digest in another
/// algorithm, known only at the closing PUT, is checked by re-reading the data. A token without "a" (issued before
/// the algorithm was carried) is sha256.
/// </remarks>
internal sealed record UploadState(
    [property: JsonPropertyName("n")] string Repository,
    [property: JsonPropertyName("id")] string UploadId,
    [property: JsonPropertyName("o")] long Offset,
    [property: JsonPropertyName("h")] string? HashHex,
    [property: JsonPropertyName("a"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Algorithm = null)
{
    /// <summary>The algorithm a first chunk is hashed with.</summary>
    [JsonIgnore]
    public string HashAlgorithm => Algorithm ?? Digest.Sha256;

    [JsonIgnore]
    public UploadProgress Progress =>
        new(Offset, HashHex is not null && Digest.TryParse($"{HashAlgorithm}:{HashHex}", out var hashed) ? hashed : null);

    /// <summary>The state after an append. A hash in an algorithm other than the upload's is not kept: it is checked at once.</summary>
    public UploadState With(UploadProgress progress) => this with
    {
        Offset = progress.Length,
        HashHex = progress.Hashed is { } hashed && hashed.Algorithm == HashAlgorithm ? hashed.Hex : null,
    };
}
