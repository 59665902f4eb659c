using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>A committed blob: its digest, the file that holds it, and its size.</summary>
public sealed record BlobInfo(Digest Digest, string Path, long Size);
