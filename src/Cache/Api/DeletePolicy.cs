using NeonRegistry.Configuration;
using NeonRegistry.Oci;

namespace NeonRegistry.Api;

/// <summary>Whether this registry accepts deletes of manifests, tags and blobs (DELETE_ENABLED).</summary>
internal sealed class DeletePolicy(RegistryOptions options)
{
    /// <exception cref="RegistryException">UNSUPPORTED when deletes are turned off.</exception>
    public void EnsureAllowed()
    {
        if (!options.DeleteEnabled)
        {
            throw new RegistryException(OciErrorCode.Unsupported, "deletes are disabled on this registry (DELETE_ENABLED=false)");
        }
    }
}
