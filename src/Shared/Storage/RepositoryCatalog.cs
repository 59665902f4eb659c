namespace NeonRegistry.Storage;

/// <summary>The repositories of the store: every directory under repositories/ that holds manifests.</summary>
public sealed class RepositoryCatalog(StorageLayout layout)
{
    /// <summary>All repository names, in ordinal order.</summary>
    public IReadOnlyList<string> List() => layout.Repositories(layout.HoldsManifests).Select(name => name.Value).ToList();
}
