using System.Security.Cryptography;
using NeonRegistry.Oci;

namespace NeonRegistry.Storage;

/// <summary>
/// Blob uploads in progress. The bytes live on the shared store, keyed by an upload id; everything else a
/// later request needs (repository, offset, running digest) travels in the signed upload-state token, so any
/// instance can continue an upload that another began.
/// </summary>
public sealed class UploadStore(StorageLayout layout, BlobStore blobs)
{
    /// <summary>Creates an empty upload and returns its id.</summary>
    public string Start()
    {
        var id = Guid.NewGuid().ToString("N");
        try
        {
            Directory.CreateDirectory(layout.Upload(id));
            File.Create(layout.UploadData(id)).Dispose();
        }
        catch
        {
            // A full store may take the directory and refuse the file: no client ever hears of this upload.
            TryCancel(id);
            throw;
        }

        return id;
    }

    /// <summary>How many uploads are in progress (begun, neither finished nor cancelled nor purged yet).</summary>
    public int CountInProgress()
    {
        var root = new DirectoryInfo(layout.UploadsRoot);
        return root.Exists ? root.EnumerateDirectories().Count(d => StorageLayout.IsUploadId(d.Name)) : 0;
    }

    /// <summary>The number of bytes received so far, or null when the upload does not exist (finished, cancelled, purged).</summary>
    public long? LengthOrNull(string id)
    {
        var data = new FileInfo(layout.UploadData(id));
        return data.Exists ? data.Length : null;
    }

    /// <summary>
    /// Appends a chunk that must start exactly at <paramref name="offset"/> (distribution-spec: chunks are received in order).
    /// </summary>
    /// <param name="expectedLength">The chunk length the client declared, when it declared one.</param>
    /// <param name="algorithm">
    /// The digest algorithm a first chunk (offset 0) is hashed with as it streams: the one the client declared
    /// (<c>digest-algorithm</c>, or the <c>digest</c> of a single-request upload). Later chunks are not hashed: the
    /// commit re-reads the data, as it does when the final digest names another algorithm.
    /// </param>
    /// <param name="discardOnFailure">
    /// Cut the upload back to <paramref name="offset"/> when the chunk fails midway (a full store, a client gone): for
    /// a request that ends the upload, whose client will not resume it. Otherwise the bytes that arrived stay, and a
    /// client resuming the upload learns how many from its status.
    /// </param>
    /// <exception cref="RegistryException">BLOB_UPLOAD_UNKNOWN, RANGE_INVALID (out of order), SIZE_INVALID (short or long body).</exception>
    public async Task<UploadProgress> AppendAsync(string id, long offset, Stream body, long? expectedLength, string algorithm, bool discardOnFailure, CancellationToken cancellationToken)
    {
        await using var data = await OpenDataAsync(id, FileAccess.Write, cancellationToken);
        if (data.Length != offset)
        {
            throw new RegistryException(OciErrorCode.RangeInvalid, $"chunk starts at byte {offset} but the upload holds {data.Length} bytes");
        }

        data.Seek(offset, SeekOrigin.Begin);
        using var hash = offset == 0 ? IncrementalHash.CreateHash(Digest.HashAlgorithmOf(algorithm)) : null;
        long copied;
        try
        {
            copied = await DigestingWriter.CopyAsync(body, data, hash, cancellationToken);
        }
        catch when (discardOnFailure)
        {
            TryTruncate(data, offset);
            throw;
        }

        if (expectedLength is { } expected && copied != expected)
        {
            data.SetLength(offset);
            throw new RegistryException(OciErrorCode.SizeInvalid, $"the chunk declared {expected} bytes but {copied} arrived; it was discarded");
        }

        data.Flush(flushToDisk: true);
        var hashed = hash is null ? (Digest?)null : Digest.FromHash(algorithm, hash.GetHashAndReset());
        return new UploadProgress(offset + copied, hashed);
    }

    /// <summary>
    /// Verifies the upload against <paramref name="digest"/> and, only if it matches, moves it into the blob store.
    /// A mismatch deletes the upload: nothing of it stays behind.
    /// </summary>
    /// <param name="progress">What the last append learnt, to skip re-reading the data when it already covers every byte.</param>
    /// <exception cref="RegistryException">BLOB_UPLOAD_UNKNOWN, DIGEST_INVALID.</exception>
    public async Task CommitAsync(string id, Digest digest, UploadProgress? progress, CancellationToken cancellationToken)
    {
        // Held from the check to the rename, so no request can add bytes to what was verified.
        await using var data = await OpenDataAsync(id, FileAccess.ReadWrite, cancellationToken);
        var length = data.Length;
        var actualHex = progress is { Hashed: { } known } && progress.Length == length && known.Algorithm == digest.Algorithm
            ? known.Hex
            : Convert.ToHexStringLower(await DigestingWriter.HashStreamAsync(data, digest.HashAlgorithm, cancellationToken));
        if (actualHex != digest.Hex)
        {
            Cancel(id);
            throw new RegistryException(
                OciErrorCode.DigestInvalid,
                $"the uploaded content ({length} bytes) has digest {digest.Algorithm}:{actualHex}, not {digest}; the upload was discarded",
                new Dictionary<string, string> { ["expected"] = digest.ToString(), ["actual"] = $"{digest.Algorithm}:{actualHex}" });
        }

        blobs.Commit(layout.UploadData(id), digest);
        Cancel(id);
    }

    /// <summary>
    /// Takes in a blob sent whole in one request (distribution-spec: single POST, or a PUT that carries all of an
    /// upload still empty) through a <see cref="BlobIntake"/>, straight beside its place in the blob store: no later
    /// request continues it, so its bytes need no upload data file. A failure keeps none of them; a digest mismatch
    /// deletes the upload as well, as <see cref="CommitAsync"/> does, while any other failure leaves it empty.
    /// </summary>
    /// <param name="id">The empty upload the PUT closes, held locked meanwhile and deleted once the blob is in; null for a single POST, which has none.</param>
    /// <param name="expectedLength">The body length the client declared, when it declared one.</param>
    /// <exception cref="RegistryException">BLOB_UPLOAD_UNKNOWN, RANGE_INVALID (the upload is no longer empty), SIZE_INVALID, DIGEST_INVALID.</exception>
    public async Task TakeInWholeAsync(string? id, Stream body, long? expectedLength, Digest digest, CancellationToken cancellationToken)
    {
        await using var data = id is null ? null : await OpenDataAsync(id, FileAccess.Write, cancellationToken);
        if (data is { Length: var length and > 0 })
        {
            throw new RegistryException(OciErrorCode.RangeInvalid, $"the body starts at byte 0 but the upload holds {length} bytes");
        }

        try
        {
            await blobs.BeginIntake(digest, expectedLength, "the client").TakeInAsync(body, idleTimeout: null, committed: null, cancellationToken);
        }
        catch (RegistryException e) when (e.Code == OciErrorCode.DigestInvalid && id is not null)
        {
            // As at any commit that fails verification: the upload goes too.
            Cancel(id);
            throw;
        }

        if (id is not null)
        {
            Cancel(id);
        }
    }

    /// <summary>Deletes an upload and its bytes. Idempotent.</summary>
    public void Cancel(string id)
    {
        try
        {
            Directory.Delete(layout.Upload(id), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Deletes an upload, leaving it to the purger when the store refuses even that (read-only). Idempotent.</summary>
    public void TryCancel(string id)
    {
        try
        {
            Cancel(id);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void TryTruncate(FileStream data, long length)
    {
        try
        {
            data.SetLength(length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The purger removes the upload in the end.
        }
    }

    private async Task<FileStream> OpenDataAsync(string id, FileAccess access, CancellationToken cancellationToken)
    {
        FileStream data;
        try
        {
            data = new FileStream(layout.UploadData(id), FileMode.Open, access, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Unknown(id);
        }

        // Exclusive: two requests on one upload URL at once (a retry racing its original) must not both pass
        // the offset check and interleave their bytes under a running digest that then looks valid.
        try
        {
            if (!await FileLock.TryLockExclusiveAsync(data.SafeFileHandle, cancellationToken))
            {
                throw Busy(id);
            }

            // The holder may have been the commit, which moved this very file into the blob store: a chunk
            // appended now would change a published blob under its digest.
            if (!File.Exists(layout.UploadData(id)))
            {
                throw Unknown(id);
            }

            return data;
        }
        catch
        {
            await data.DisposeAsync();
            throw;
        }
    }

    private static RegistryException Busy(string id) =>
        new(OciErrorCode.BlobUploadInvalid, $"another request is writing to upload {id}; wait for it, then ask for the upload's status");

    private static RegistryException Unknown(string id) =>
        new(OciErrorCode.BlobUploadUnknown, $"upload {id} is unknown: it finished, was cancelled or expired; start a new upload");
}
