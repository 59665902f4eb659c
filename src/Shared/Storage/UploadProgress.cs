namespace NeonRegistry.Storage;

/// <summary>
/// How far an upload has got: its length, and the sha256 of all of it when every byte was hashed as it arrived
/// (a single stream from offset 0), so the common push needs no second read of the data at commit.
/// </summary>
public sealed record UploadProgress(long Length, string? Sha256Hex);
