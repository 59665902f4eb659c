using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

public sealed class DirectorySyncTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public void Flush_ExistingDirectory_Succeeds()
    {
        DirectorySync.Flush(_store.Root);
    }

    [Fact]
    public void Flush_MissingDirectory_ThrowsNamingIt()
    {
        var missing = Path.Combine(_store.Root, "missing");

        var error = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));

        Assert.Contains(missing, error.Message);
    }
}
