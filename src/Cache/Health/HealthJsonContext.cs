using System.Text.Json.Serialization;

namespace NeonRegistry.Health;

/// <summary>
/// The probes' JSON bodies, serialized by generated code (no reflection once compiled ahead of time). Their own
/// context, so the API's <c>RegistryJsonContext</c> knows nothing of health.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LivenessReport))]
[JsonSerializable(typeof(ReadinessReport))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;

/// <summary>The <c>/healthz</c> body.</summary>
internal sealed record LivenessReport(string Status, string Host);

/// <summary>The <c>/readyz</c> body: the verdict and each readiness check's own.</summary>
internal sealed record ReadinessReport(string Status, string Host, IReadOnlyList<CheckReport> Checks);

internal sealed record CheckReport(string Name, string Status, string? Description, double DurationMs);
