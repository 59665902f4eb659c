using System.Text.Json.Serialization;
using NeonRegistry.Oci;

namespace NeonRegistry.Api;

/// <summary>
/// Every JSON document the host writes or reads, serialized by generated code: no reflection, so the registry
/// is compiled ahead of time (a third of the memory and an instant start) and a request pays no warm-up.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(TagList))]
[JsonSerializable(typeof(RepositoryList))]
[JsonSerializable(typeof(ReferrersList))]
[JsonSerializable(typeof(UploadState))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;

/// <summary>distribution-spec: Error Codes. <c>detail</c> is always present, null when there is none.</summary>
internal sealed record ErrorEnvelope(IReadOnlyList<ErrorEntry> Errors);

internal sealed record ErrorEntry(string Code, string Message, IReadOnlyDictionary<string, string>? Detail);

/// <summary>distribution-spec: Listing Tags.</summary>
internal sealed record TagList(string Name, IReadOnlyList<string> Tags);

/// <summary>The <c>/v2/_catalog</c> body.</summary>
internal sealed record RepositoryList(IReadOnlyList<string> Repositories);

/// <summary>distribution-spec: Listing Referrers, an image index of the referrers' descriptors.</summary>
internal sealed record ReferrersList(int SchemaVersion, string MediaType, IReadOnlyList<Descriptor> Manifests);
