using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeonRegistry.Proxy;

/// <summary>
/// Documents other services send the cache, read as leniently as .NET's web defaults (any case of a property's
/// name, numbers in strings): a token service that writes <c>"expires_in": "300"</c> must not stop every pull.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(UpstreamAuthenticator.TokenResponse))]
internal sealed partial class UpstreamJsonContext : JsonSerializerContext;
