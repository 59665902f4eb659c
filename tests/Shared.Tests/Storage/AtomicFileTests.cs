using System.Text;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task WriteAsync_NewPathInMissingDirectory_CreatesItWithTheContent()
    {
        var path = Path.Combine(_store.Root, "a", "b", "file");

        await AtomicFile.WriteAsync(path, new byte[] { 1, 2, 3 }, CancellationToken.None);

        Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task WriteAsync_ExistingLongerFile_ReplacesContentWhole()
    {
        var path = Path.Combine(_store.Root, "file");
        await File.WriteAllTextAsync(path, "the old content, longer than the new");

        await AtomicFile.WriteTextAsync(path, "new", CancellationToken.None);

        Assert.Equal("new", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task WriteAsync_Success_LeavesNoTempFile()
    {
        var path = Path.Combine(_store.Root, "dir", "file");

        await AtomicFile.WriteTextAsync(path, "one", CancellationToken.None);
        await AtomicFile.WriteTextAsync(path, "two", CancellationToken.None);

        Assert.Equal([Path.Combine("dir", "file")], _store.Files());
    }

    [Fact]
    public async Task WriteAsync_Cancelled_KeepsOldContentAndLeavesNoTempFile()
    {
        var path = Path.Combine(_store.Root, "file");
        await File.WriteAllTextAsync(path, "old");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => AtomicFile.WriteTextAsync(path, "new", cancelled.Token));

        Assert.Equal("old", await File.ReadAllTextAsync(path));
        Assert.Equal(["file"], _store.Files());
    }

    [Fact]
    public async Task WriteAsync_RenameFails_LeavesNoTempFile()
    {
        // A directory where the file should go makes the final rename fail after the temp file was written.
        var path = Path.Combine(_store.Root, "taken");
        Directory.CreateDirectory(Path.Combine(path, "inner"));
        await File.WriteAllTextAsync(Path.Combine(path, "inner", "keep"), "kept");

        var error = await Record.ExceptionAsync(() => AtomicFile.WriteTextAsync(path, "new", CancellationToken.None));

        Assert.NotNull(error);
        Assert.Equal([Path.Combine("taken", "inner", "keep")], _store.Files());
    }

    [Fact]
    public async Task WriteTextAsync_Text_WritesUtf8WithoutBom()
    {
        var path = Path.Combine(_store.Root, "text");

        await AtomicFile.WriteTextAsync(path, "sha256:é", CancellationToken.None);

        Assert.Equal(Encoding.UTF8.GetBytes("sha256:é"), await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public void TempPathFor_Path_IsAHiddenSiblingInAnExistingDirectory()
    {
        var path = Path.Combine(_store.Root, "new-dir", "final");

        var temp = AtomicFile.TempPathFor(path);

        Assert.Equal(Path.GetDirectoryName(path), Path.GetDirectoryName(temp));
        Assert.StartsWith(AtomicFile.TempPrefix, Path.GetFileName(temp), StringComparison.Ordinal);
        Assert.True(StorageLayout.IsHidden(Path.GetFileName(temp)));
        Assert.True(Directory.Exists(Path.GetDirectoryName(path)));
        Assert.NotEqual(temp, AtomicFile.TempPathFor(path));
    }

    [Fact]
    public async Task Publish_CompleteFile_MovesItIntoPlaceReplacingTheOld()
    {
        var complete = Path.Combine(_store.Root, "complete");
        var path = Path.Combine(_store.Root, "target", "file");
        await File.WriteAllTextAsync(complete, "complete");
        await AtomicFile.WriteTextAsync(path, "old", CancellationToken.None);

        AtomicFile.Publish(complete, path);

        Assert.Equal("complete", await File.ReadAllTextAsync(path));
        Assert.False(File.Exists(complete));
    }
}
