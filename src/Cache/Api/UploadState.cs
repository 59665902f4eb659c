using System.Text.Json.Serialization;
using NeonRegistry.Storage;

namespace NeonRegistry.Api;

/// <summary>
/// What a later request needs to know about an upload, carried by the client in the signed <c>_state</c> query
/// parameter of the upload URL rather than in any one instance's memory.
/// </summary>
internal sealed record UploadState(
    [property: JsonPropertyName("n")] string Repository,
    [property: JsonPropertyName("id")] string UploadId,
    [property: JsonPropertyName("o")] long Offset,
    [property: JsonPropertyName("h")] string? Sha256Hex)
{
    [JsonIgnore]
    public UploadProgress Progress => new(Offset, Sha256Hex);

    public UploadState With(UploadProgress progress) => this with { Offset = progress.Length, Sha256Hex = progress.Sha256Hex };
}
