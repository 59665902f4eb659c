using System.IO.Pipelines;
using System.Security.Cryptography;
using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

/// <summary>A blob taken into the store from a stream, with readers following it as it grows, on a real directory.</summary>
public sealed class BlobIntakeTests : IDisposable
{
    // A bound on waiting for what must happen, so a broken intake fails the test instead of hanging it; never a measure.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // As a cache fill has: each read then reaches the file as it arrives, so readers can follow it.
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(5);

    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task CopyToAsync_ReadersFollowingAGrowingFile_ReceiveBytesAsTheyArriveThenTheWholeBlob()
    {
        var content = RandomNumberGenerator.GetBytes(300 * 1024);
        var digest = Digest.Compute(content);
        var body = new Pipe();
        var intake = Begin(digest, content.Length);
        var early = new FollowingStream();
        var earlyCopy = intake.CopyToAsync(early, 0, null, CancellationToken.None);
        var taking = intake.TakeInAsync(body.Reader.AsStream(), IdleTimeout, null, CancellationToken.None);

        await body.Writer.WriteAsync(content.AsMemory(0, 100 * 1024));
        await early.WaitForAsync(100 * 1024).WaitAsync(Patience);
        var late = new FollowingStream();
        var lateCopy = intake.CopyToAsync(late, 0, null, CancellationToken.None);
        await late.WaitForAsync(100 * 1024).WaitAsync(Patience);
        await body.Writer.WriteAsync(content.AsMemory(100 * 1024));
        await body.Writer.CompleteAsync();

        var committed = await taking.WaitAsync(Patience);
        await Task.WhenAll(earlyCopy, lateCopy).WaitAsync(Patience);
        Assert.Equal(content, early.ToArray());
        Assert.Equal(content, late.ToArray());
        Assert.Equal(new BlobInfo(digest, _store.Layout.Blob(digest), content.Length), committed);
        Assert.Equal(content, await File.ReadAllBytesAsync(_store.Layout.Blob(digest)));
        Assert.True(intake.Succeeded);
        Assert.Empty(TempFiles(digest));
    }

    [Fact]
    public async Task TakeInAsync_EveryByteArrivedButNotVerified_HoldsBackTheLastByteAndCommitsNothing()
    {
        var content = RandomNumberGenerator.GetBytes(4096);
        var digest = Digest.Compute(content);
        var body = new Pipe();
        var intake = Begin(digest, content.Length);
        var reader = new FollowingStream();
        var copy = intake.CopyToAsync(reader, 0, null, CancellationToken.None);
        var taking = intake.TakeInAsync(body.Reader.AsStream(), IdleTimeout, null, CancellationToken.None);

        await body.Writer.WriteAsync(content);
        await reader.WaitForAsync(content.Length - 1).WaitAsync(Patience);

        Assert.Equal(content.Length - 1, reader.Length);
        Assert.False(_store.Blobs.Exists(digest));
        Assert.Single(TempFiles(digest));
        await body.Writer.CompleteAsync();
        await taking.WaitAsync(Patience);
        await copy.WaitAsync(Patience);
        Assert.Equal(content, reader.ToArray());
        Assert.True(_store.Blobs.Exists(digest));
    }

    [Fact]
    public async Task TakeInAsync_BadDigest_FailsEveryReaderAndLeavesNoFile()
    {
        var content = RandomNumberGenerator.GetBytes(200 * 1024);
        var claimed = Digest.Compute(RandomNumberGenerator.GetBytes(16));
        var body = new Pipe();
        var intake = Begin(claimed, content.Length);
        var readers = Enumerable.Range(0, 3).Select(_ => new FollowingStream()).ToList();
        var copies = readers.Select(r => intake.CopyToAsync(r, 0, null, CancellationToken.None)).ToList();
        var taking = intake.TakeInAsync(body.Reader.AsStream(), null, null, CancellationToken.None);

        await body.Writer.WriteAsync(content);
        await body.Writer.CompleteAsync();

        var refused = await Assert.ThrowsAsync<RegistryException>(() => taking.WaitAsync(Patience));
        Assert.Equal(OciErrorCode.DigestInvalid, refused.Code);
        Assert.Equal(claimed.ToString(), refused.Detail!["expected"]);
        Assert.Equal(Digest.Compute(content).ToString(), refused.Detail["actual"]);
        foreach (var copy in copies)
        {
            var failed = await Assert.ThrowsAsync<BlobIntakeFailedException>(() => copy.WaitAsync(Patience));
            Assert.Same(refused, failed.InnerException);
        }

        Assert.All(readers, r => Assert.InRange(r.Length, 0, content.Length - 1));
        Assert.False(intake.Succeeded);
        Assert.Same(refused, intake.Failure);
        AssertNothingKept(claimed);
    }

    [Fact]
    public async Task TakeInAsync_ShortBody_RefusesWithSizeInvalidAndLeavesNoFile()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var digest = Digest.Compute(content);
        var intake = Begin(digest, content.Length + 1);
        var reader = new FollowingStream();
        var copy = intake.CopyToAsync(reader, 0, null, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<RegistryException>(() => intake.TakeInAsync(new MemoryStream(content), null, null, CancellationToken.None));

        Assert.Equal(OciErrorCode.SizeInvalid, refused.Code);
        Assert.Contains("1000 of the 1001 bytes", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<BlobIntakeFailedException>(() => copy.WaitAsync(Patience));
        AssertNothingKept(digest);
    }

    [Fact]
    public async Task TakeInAsync_BodyBreaksOff_DeletesTheTempFileAndFailsReadersWithTheCause()
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        var digest = Digest.Compute(content);
        var body = new Pipe();
        var intake = Begin(digest, content.Length);
        var taking = intake.TakeInAsync(body.Reader.AsStream(), null, null, CancellationToken.None);

        await body.Writer.WriteAsync(content.AsMemory(0, 5000));
        await body.Writer.CompleteAsync(new IOException("connection reset"));

        var broken = await Assert.ThrowsAsync<IOException>(() => taking.WaitAsync(Patience));
        Assert.Equal("connection reset", broken.Message);
        var failed = await Assert.ThrowsAsync<BlobIntakeFailedException>(() => intake.CopyToAsync(new MemoryStream(), 0, null, CancellationToken.None));
        Assert.Contains("connection reset", failed.Message, StringComparison.Ordinal);
        Assert.True(intake.Completion.IsCompletedSuccessfully);
        AssertNothingKept(digest);
    }

    [Fact]
    public async Task TakeInAsync_SilentBodyPastTheIdleTimeout_FailsAndLeavesNoFile()
    {
        var digest = Digest.Compute([1, 2, 3]);
        var body = new Pipe();
        var intake = Begin(digest, 3);

        await body.Writer.WriteAsync(new byte[] { 1 });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => intake.TakeInAsync(body.Reader.AsStream(), TimeSpan.FromMilliseconds(50), null, CancellationToken.None).WaitAsync(Patience));

        AssertNothingKept(digest);
    }

    [Fact]
    public async Task CopyToAsync_ReaderJoiningAfterCommit_ReadsTheCommittedFileAndRanges()
    {
        var content = RandomNumberGenerator.GetBytes(5000);
        var digest = Digest.Compute(content);
        var intake = Begin(digest, length: null);
        BlobInfo? seen = null;

        await intake.TakeInAsync(new MemoryStream(content), null, blob => seen = blob, CancellationToken.None);
        var whole = new MemoryStream();
        await intake.CopyToAsync(whole, 0, null, CancellationToken.None);
        var range = new MemoryStream();
        await intake.CopyToAsync(range, 1000, 250, CancellationToken.None);

        Assert.Equal(content, whole.ToArray());
        Assert.Equal(content[1000..1250], range.ToArray());
        Assert.Equal(content.Length, seen!.Size);
        Assert.Empty(TempFiles(digest));
    }

    [Fact]
    public async Task TakeInAsync_CommittedCallbackSeesTheBlobBeforeReadersGetTheLastByte()
    {
        var content = RandomNumberGenerator.GetBytes(2048);
        var digest = Digest.Compute(content);
        var intake = Begin(digest, content.Length);
        var reader = new FollowingStream();
        var copy = intake.CopyToAsync(reader, 0, null, CancellationToken.None);
        long sentAtCommit = -1;

        await intake.TakeInAsync(new MemoryStream(content), null, _ => sentAtCommit = reader.Length, CancellationToken.None);
        await copy.WaitAsync(Patience);

        Assert.InRange(sentAtCommit, 0, content.Length - 1);
        Assert.Equal(content, reader.ToArray());
    }

    [Fact]
    public async Task TakeInAsync_BlobAlreadyStored_KeepsItAndLeavesNoTempFile()
    {
        var content = RandomNumberGenerator.GetBytes(100);
        var digest = await _store.PushBlobAsync(RepositoryName.Parse("app"), content);

        await Begin(digest, content.Length).TakeInAsync(new MemoryStream(content), null, null, CancellationToken.None);

        Assert.Equal(content, await File.ReadAllBytesAsync(_store.Layout.Blob(digest)));
        Assert.Empty(TempFiles(digest));
    }

    private BlobIntake Begin(Digest digest, long? length) => _store.Blobs.BeginIntake(digest, length, "the test");

    private string[] TempFiles(Digest digest) =>
        Directory.GetFiles(Path.GetDirectoryName(_store.Layout.Blob(digest))!, AtomicFile.TempPrefix + "*");

    private void AssertNothingKept(Digest digest)
    {
        Assert.False(_store.Blobs.Exists(digest));
        Assert.Empty(TempFiles(digest));
    }

    /// <summary>A reader's destination that tells when a number of bytes has reached it.</summary>
    private sealed class FollowingStream : MemoryStream
    {
        private readonly Lock _lock = new();
        private readonly List<(long Length, TaskCompletionSource Reached)> _waiters = [];

        public Task WaitForAsync(long length)
        {
            lock (_lock)
            {
                if (Length >= length)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((length, reached));
                return reached.Task;
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                Write(buffer.Span);
                foreach (var waiter in _waiters.Where(w => Length >= w.Length).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Reached.TrySetResult();
                }
            }

            await Task.CompletedTask;
        }
    }
}
