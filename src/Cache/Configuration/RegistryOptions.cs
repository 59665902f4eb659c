namespace NeonRegistry.Configuration;

/// <summary>The validated settings of one registry instance. Built only by <see cref="EnvironmentSettings"/>.</summary>
internal sealed record RegistryOptions
{
    public const string DefaultStoragePath = "/var/lib/registry";
    public const int DefaultPort = 5000;

    /// <summary>The store's root directory, shared by every instance.</summary>
    public required string StoragePath { get; init; }

    public required int Port { get; init; }

    /// <summary>Signs upload state; the same on every instance so any of them can continue an upload.</summary>
    public required string Secret { get; init; }

    /// <summary>When false, deletes of manifests, tags and blobs answer 405 UNSUPPORTED.</summary>
    public bool DeleteEnabled { get; init; } = true;
}
