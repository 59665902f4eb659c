using System.Text.Json.Serialization;

namespace NeonRegistry.Oci;

/// <summary>
/// The OCI documents the storage core reads and writes, serialized by generated code: no reflection, so the
/// registry can be compiled ahead of time, and parsing a manifest costs no warm-up.
/// </summary>
[JsonSerializable(typeof(Descriptor))]
[JsonSerializable(typeof(ManifestDocument.Wire))]
internal sealed partial class OciJsonContext : JsonSerializerContext;
