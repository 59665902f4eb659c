using System.Buffers;
using System.Security.Cryptography;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Maintenance;

/// <summary>Re-hashes every blob against the digest it is stored under and, with repair, moves corrupt ones aside.</summary>
internal sealed class BlobChecker(StorageLayout layout, VerificationTally tally)
{
    private const string Phase = "hashing blobs";

    // Large reads keep a multi-gigabyte layer from costing a syscall per few kilobytes.
    private const int BufferSize = 1024 * 1024;

    public async Task CheckAsync(StoreInventory inventory, CancellationToken cancellationToken)
    {
        var total = inventory.BlobBytes;
        foreach (var (digest, blob) in inventory.BlobsInOrder())
        {
            var actual = await HashOrNullAsync(blob.Path, digest, total, cancellationToken);
            tally.Counts.BlobsChecked++;
            if (actual is null || actual == digest)
            {
                // Null: deleted since the scan (by a garbage collection); nothing there to be corrupt.
                continue;
            }

            tally.Corrupt.Add(digest);
            tally.Problem(MaintenanceEventKind.BlobCorrupt, $"blob {digest} is corrupt: its {blob.Size} bytes hash to {actual}", digest: digest);
            if (tally.Options.Repair)
            {
                Quarantine(digest, blob);
            }
        }
    }

    private void Quarantine(Digest digest, StoredFile blob)
    {
        var target = layout.QuarantinedBlob(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(blob.Path, target, overwrite: true);
        tally.Counts.BlobsQuarantined++;
        tally.Reporter.Report(new MaintenanceEvent(
            MaintenanceEventKind.BlobQuarantined,
            $"moved blob {digest} to {Path.GetRelativePath(layout.Root, target)}; push it again to restore it")
        {
            Digest = digest,
        });
    }

    private async Task<Digest?> HashOrNullAsync(string path, Digest digest, long total, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(digest.HashAlgorithm);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var file = new FileStream(
                path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                tally.Counts.BytesChecked += read;
                tally.Reporter.Progress(new MaintenanceProgress(Phase, tally.Counts.BytesChecked, total, ProgressUnit.Bytes));
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Digest.FromHash(digest.Algorithm, hash.GetHashAndReset());
    }
}
