namespace NeonRegistry.Storage;

/// <summary>The repositories of the store: every directory under repositories/ that holds manifests.</summary>
public sealed class RepositoryCatalog(StorageLayout layout)
{
    private const string ManifestsDirectoryName = "_manifests";

    /// <summary>All repository names, in ordinal order.</summary>
    public IReadOnlyList<string> List()
    {
        var names = new List<string>();
        var root = new DirectoryInfo(layout.RepositoriesRoot);
        if (root.Exists)
        {
            Collect(root, prefix: "", names);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private static void Collect(DirectoryInfo directory, string prefix, List<string> names)
    {
        foreach (var child in directory.EnumerateDirectories())
        {
            if (child.Name.StartsWith('_') || StorageLayout.IsHidden(child.Name))
            {
                continue;
            }

            var name = prefix + child.Name;
            if (Directory.Exists(Path.Combine(child.FullName, ManifestsDirectoryName)))
            {
                names.Add(name);
            }

            Collect(child, name + "/", names);
        }
    }
}
