using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>
/// How far an upload has got: its length, and the digest of all of it when every byte was hashed as it arrived
/// (a single stream from offset 0, in the algorithm the upload declared), so the common push needs no second read
/// of the data at commit.
/// </summary>
public sealed record UploadProgress(long Length, Digest? Hashed);
