using NeonRegistry.Configuration;
using NeonRegistry.Content;

namespace NeonRegistry.Api;

/// <summary>
/// Tells a cache's client which node answered and whether it was a hit, in the conventional
/// <c>X-Cache: HIT from node</c> form. A primary's own content carries no such header.
/// </summary>
internal sealed class CacheHeaders(RegistryOptions options)
{
    public const string Name = "X-Cache";

    public void Write(HttpContext http, CacheStatus status)
    {
        if (status != CacheStatus.Local)
        {
            http.Response.Headers[Name] = $"{status.ToString().ToUpperInvariant()} from {options.InstanceName}";
        }
    }
}
