using System.IO.Pipelines;
using System.Security.Cryptography;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

public sealed class DigestingWriterTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task CopyAsync_ContentOverSeveralBuffers_CopiesAndHashesEveryByte()
    {
        var content = RandomNumberGenerator.GetBytes(3 * 128 * 1024 + 5);
        using var destination = new MemoryStream();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        var copied = await DigestingWriter.CopyAsync(new MemoryStream(content), destination, hash, CancellationToken.None);

        Assert.Equal(content.Length, copied);
        Assert.Equal(content, destination.ToArray());
        Assert.Equal(SHA256.HashData(content), hash.GetHashAndReset());
    }

    [Fact]
    public async Task CopyAsync_WithoutHash_StillCopies()
    {
        byte[] content = [1, 2, 3];
        using var destination = new MemoryStream();

        var copied = await DigestingWriter.CopyAsync(new MemoryStream(content), destination, hash: null, CancellationToken.None);

        Assert.Equal(3, copied);
        Assert.Equal(content, destination.ToArray());
    }

    [Fact]
    public async Task CopyAsync_EmptySource_CopiesNothing()
    {
        using var destination = new MemoryStream();

        var copied = await DigestingWriter.CopyAsync(Stream.Null, destination, hash: null, CancellationToken.None);

        Assert.Equal(0, copied);
        Assert.Equal(0, destination.Length);
    }

    [Theory]
    [InlineData("SHA256")]
    [InlineData("SHA512")]
    public async Task HashFileAsync_File_MatchesTheOneShotHash(string algorithm)
    {
        var content = RandomNumberGenerator.GetBytes(200 * 1024);
        var path = Path.Combine(_store.Root, "data");
        await File.WriteAllBytesAsync(path, content);

        var hash = await DigestingWriter.HashFileAsync(path, new HashAlgorithmName(algorithm), CancellationToken.None);

        var expected = algorithm == "SHA512" ? SHA512.HashData(content) : SHA256.HashData(content);
        Assert.Equal(expected, hash);
    }

    [Fact]
    public async Task CopyAsync_WithIdleTimeout_WritesEachReadAsItArrivesAndReportsIt()
    {
        var source = new Pipe();
        using var destination = new MemoryStream();
        var reported = new List<int>();
        var firstWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var copy = DigestingWriter.CopyAsync(source.Reader.AsStream(), destination, null, TimeSpan.FromMinutes(5), written =>
        {
            reported.Add(written);
            firstWrite.TrySetResult();
        }, CancellationToken.None);
        await source.Writer.WriteAsync(new byte[] { 1, 2, 3 });
        await firstWrite.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var seenBeforeTheEnd = destination.ToArray();
        await source.Writer.WriteAsync(new byte[] { 4, 5 });
        await source.Writer.CompleteAsync();

        Assert.Equal(5, await copy);
        Assert.Equal([1, 2, 3], seenBeforeTheEnd);
        Assert.Equal(5, reported.Sum());
        Assert.Equal([1, 2, 3, 4, 5], destination.ToArray());
    }

    [Fact]
    public async Task CopyAsync_SourceSilentPastTheIdleTimeout_FailsWithCancellation()
    {
        var source = new Pipe();
        await source.Writer.WriteAsync(new byte[] { 1 });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => DigestingWriter.CopyAsync(source.Reader.AsStream(), Stream.Null, null, TimeSpan.FromMilliseconds(50), null, CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
