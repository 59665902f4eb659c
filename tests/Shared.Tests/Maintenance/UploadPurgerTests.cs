using NeonRegistry.Maintenance;
using NeonRegistry.Oci;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Maintenance;

public sealed class UploadPurgerTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Run_UploadsIdleLongerThanTheLimit_AreDeletedOthersKept()
    {
        var abandoned = await StartUploadAsync(bytes: 1000);
        var active = await StartUploadAsync(bytes: 10);
        FileAges.BackdateFile(_store.Layout.UploadData(abandoned), TimeSpan.FromHours(25));
        FileAges.BackdateFile(_store.Layout.UploadData(active), TimeSpan.FromHours(23));
        var reporter = new RecordingReporter();

        var summary = Purge(TimeSpan.FromHours(24), reporter);

        Assert.Null(_store.Uploads.LengthOrNull(abandoned));
        Assert.False(Directory.Exists(_store.Layout.Upload(abandoned)));
        Assert.Equal(10, _store.Uploads.LengthOrNull(active));
        Assert.Equal((1, 1, 1000L, 0), (summary.UploadsPurged, summary.UploadsKept, summary.BytesFreed, summary.Failures));
        Assert.Contains(abandoned, Assert.Single(reporter.OfKind(MaintenanceEventKind.UploadPurged)).Message);
    }

    [Fact]
    public void Run_UploadThatCrashedBeforeItsDataFile_IsAgedByItsDirectory()
    {
        var id = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(_store.Layout.Upload(id));
        Directory.SetLastWriteTimeUtc(_store.Layout.Upload(id), DateTime.UtcNow.AddDays(-2));

        var summary = Purge(TimeSpan.FromHours(24), new RecordingReporter());

        Assert.False(Directory.Exists(_store.Layout.Upload(id)));
        Assert.Equal(1, summary.UploadsPurged);
    }

    [Fact]
    public async Task Run_OnlyUploadsAreTouched_NotBlobsOrStrayNames()
    {
        var blob = await _store.PushBlobAsync(RepositoryName.Parse("app"), [1, 2, 3]);
        var stray = Path.Combine(_store.Layout.UploadsRoot, "not-an-upload");
        Directory.CreateDirectory(stray);
        FileAges.Backdate(_store.Root, TimeSpan.FromDays(30));

        var summary = Purge(TimeSpan.Zero, new RecordingReporter());

        Assert.True(_store.Blobs.Exists(blob));
        Assert.True(Directory.Exists(stray));
        Assert.Equal(0, summary.UploadsPurged);
    }

    [Fact]
    public async Task Run_Cancelled_StopsBetweenUploadsAndSaysSo()
    {
        for (var i = 0; i < 5; i++)
        {
            await StartUploadAsync(bytes: 1);
        }

        FileAges.Backdate(_store.Root, TimeSpan.FromDays(2));
        using var cancellation = new CancellationTokenSource();
        var reporter = new RecordingReporter(p =>
        {
            if (p.Done == 2)
            {
                cancellation.Cancel();
            }
        });

        var summary = new UploadPurger(_store.Layout, _store.Uploads, TimeProvider.System).Run(TimeSpan.FromHours(24), reporter, cancellation.Token);

        Assert.True(summary.Interrupted);
        Assert.Equal(2, summary.UploadsPurged);
        Assert.Equal(3, Directory.GetDirectories(_store.Layout.UploadsRoot).Length);
    }

    private async Task<string> StartUploadAsync(int bytes)
    {
        var id = _store.Uploads.Start();
        await _store.Uploads.AppendAsync(id, 0, new MemoryStream(new byte[bytes]), bytes, Digest.Sha256, discardOnFailure: false, CancellationToken.None);
        return id;
    }

    private UploadPurgeSummary Purge(TimeSpan olderThan, RecordingReporter reporter) =>
        new UploadPurger(_store.Layout, _store.Uploads, TimeProvider.System).Run(olderThan, reporter, CancellationToken.None);
}
