using Microsoft.AspNetCore.Http.Features;
using NeonRegistry.Oci;
using NeonRegistry.Storage;

namespace NeonRegistry.Api;

/// <summary>
/// distribution-spec: Pushing blobs (POST then PUT, single POST, chunked PATCH, streamed PATCH) and
/// Mounting a blob from another repository. Bytes stream to the shared store; the upload's state travels in
/// the signed Location URL, so each request may land on a different instance.
/// </summary>
internal sealed class UploadEndpoints(UploadStore uploads, BlobStore blobs, UploadStateToken tokens)
{
    public async Task<IResult> StartAsync(HttpContext http, V2Route route, CancellationToken cancellationToken)
    {
        var name = route.Repository;
        var query = http.Request.Query;
        var algorithm = UploadAlgorithm(query);
        if (TryMount(name, query["mount"], query["from"]) is { } mounted)
        {
            return BlobCreated(http, name, mounted);
        }

        if (query.ContainsKey("digest"))
        {
            // distribution-spec: Single POST. The client never gets a Location, so nobody could resume or cancel this
            // upload: it needs no upload of its own, and whatever a failure leaves (on a full store, the bytes that
            // did fit) goes now, not in a day.
            var digest = Digest.Parse(query["digest"]);
            await uploads.TakeInWholeAsync(null, RequestBody(http), DeclaredLength(http), digest, cancellationToken);
            blobs.Link(name, digest);
            return BlobCreated(http, name, digest);
        }

        var id = uploads.Start();
        return UploadAccepted(http, new UploadState(name.Value, id, 0, null, algorithm == Digest.Sha256 ? null : algorithm));
    }

    public async Task<IResult> PatchAsync(HttpContext http, V2Route route, CancellationToken cancellationToken)
    {
        var state = Verify(http, route);
        if (CheckPosition(http, ref state) is { } refusal)
        {
            return refusal;
        }

        if (await AppendOrNullAsync(http, state, state.HashAlgorithm, discardOnFailure: false, cancellationToken) is not { } progress)
        {
            return RangeRefusal(http, state, CurrentLength(state.UploadId));
        }

        return UploadAccepted(http, state.With(progress));
    }

    public async Task<IResult> PutAsync(HttpContext http, V2Route route, CancellationToken cancellationToken)
    {
        var state = Verify(http, route);
        var digest = Digest.Parse(http.Request.Query["digest"]);
        var progress = state.Progress;
        if (HasBody(http))
        {
            if (CheckPosition(http, ref state) is { } refusal)
            {
                return refusal;
            }

            if (state.Offset == 0)
            {
                return await TakeInWholeOrRefusalAsync(http, route.Repository, state, digest, cancellationToken);
            }

            // The closing chunk: a client whose PUT fails starts over rather than resumes, so what this request
            // wrote goes.
            if (await AppendOrNullAsync(http, state, digest.Algorithm, discardOnFailure: true, cancellationToken) is not { } appended)
            {
                return RangeRefusal(http, state, CurrentLength(state.UploadId));
            }

            progress = appended;
        }

        return await CommitAsync(http, route.Repository, state.UploadId, digest, progress, cancellationToken);
    }

    /// <summary>GET: how many bytes the upload holds (204 with <c>Range</c>).</summary>
    public IResult Status(HttpContext http, V2Route route)
    {
        var state = Verify(http, route);
        WriteUploadHeaders(http, At(state, CurrentLength(state.UploadId)));
        return TypedResults.NoContent();
    }

    public IResult Cancel(HttpContext http, V2Route route)
    {
        var state = Verify(http, route);
        if (uploads.LengthOrNull(state.UploadId) is null)
        {
            throw UnknownUpload(state.UploadId);
        }

        uploads.Cancel(state.UploadId);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// distribution-spec: Mounting a blob from another repository. With <c>from</c>, the blob is mounted when that
    /// repository holds it; without, when the store holds it at all (the spec lets a registry treat <c>from</c> as
    /// optional). Null when there is nothing to mount: the caller falls back to an upload (202).
    /// </summary>
    /// <remarks>
    /// Mounting without <c>from</c> shows no one anything they could not already see: the registry has one login,
    /// and every user of it may pull every repository, so any blob the store holds is already the caller's to
    /// read. A registry with per-repository permissions would have to look for the blob only where the caller may
    /// pull.
    /// </remarks>
    private Digest? TryMount(RepositoryName name, string? mount, string? from)
    {
        if (!Digest.TryParse(mount, out var digest))
        {
            return null;
        }

        var visible = string.IsNullOrEmpty(from)
            ? blobs.Exists(digest)
            : RepositoryName.TryParse(from, out var source) && blobs.FindOrNull(source, digest) is not null;
        if (!visible)
        {
            return null;
        }

        blobs.Link(name, digest);
        return digest;
    }

    /// <summary>
    /// The algorithm the upload is hashed with as it arrives: <c>digest-algorithm</c> when the client names one
    /// (distribution-spec, next version: end-4c), else that of the blob it asked to mount, else sha256.
    /// </summary>
    /// <exception cref="RegistryException">DIGEST_INVALID for an algorithm other than sha256 and sha512.</exception>
    private static string UploadAlgorithm(IQueryCollection query)
    {
        if (query.TryGetValue("digest-algorithm", out var declared))
        {
            return Digest.IsSupportedAlgorithm(declared)
                ? declared.ToString()
                : throw new RegistryException(
                    OciErrorCode.DigestInvalid,
                    $"digest-algorithm '{declared}' is not supported: use sha256 or sha512",
                    new Dictionary<string, string> { ["digest-algorithm"] = declared.ToString() });
        }

        return Digest.TryParse(query["mount"], out var mount) ? mount.Algorithm : Digest.Sha256;
    }

    /// <summary>
    /// The upload's state from its URL. An upload that does not exist (finished, cancelled, purged, never begun) is
    /// unknown whatever the URL carries: 404, as the spec has it. One that exists needs its intact state: 400.
    /// </summary>
    private UploadState Verify(HttpContext http, V2Route route)
    {
        try
        {
            return tokens.Verify(http.Request.Query["_state"], route.Repository, route.Argument);
        }
        catch (RegistryException) when (!StorageLayout.IsUploadId(route.Argument) || uploads.LengthOrNull(route.Argument) is null)
        {
            // With a valid state, the request's own look at the upload answers 404 as well.
            throw UnknownUpload(route.Argument);
        }
    }

    /// <summary>
    /// Refuses a chunk that does not continue the upload where it stands, with 416 and the true <c>Range</c> so the
    /// client can resume. Clients SHOULD, not must, send each chunk to the latest Location: a Content-Range that
    /// starts where the upload stands is enough, and moves <paramref name="state"/> there. Without one, the URL's
    /// own offset must match, so a retried streamed chunk is never appended twice.
    /// </summary>
    private IResult? CheckPosition(HttpContext http, ref UploadState state)
    {
        var length = CurrentLength(state.UploadId);
        var header = http.Request.Headers.ContentRange.ToString();
        var continues = header.Length == 0
            ? length == state.Offset
            : ContentRange.TryParse(header, out var range) && range.Start == length;
        if (continues)
        {
            state = At(state, length);
            return null;
        }

        return RangeRefusal(http, state, length);
    }

    /// <summary>416 with the upload's true <c>Range</c> and a Location to resume from.</summary>
    private IResult RangeRefusal(HttpContext http, UploadState state, long length)
    {
        WriteUploadHeaders(http, At(state, length));
        return OciResults.Error(
            OciErrorCode.RangeInvalid,
            $"the chunk does not continue the upload: it holds {length} bytes, so the next chunk must start at byte {length}");
    }

    private static UploadState At(UploadState state, long length) =>
        length == state.Offset ? state : state with { Offset = length, HashHex = null };

    private long CurrentLength(string id) => uploads.LengthOrNull(id) ?? throw UnknownUpload(id);

    /// <returns>Null when another chunk landed between the position check and the upload's lock.</returns>
    private async Task<UploadProgress?> AppendOrNullAsync(HttpContext http, UploadState state, string algorithm, bool discardOnFailure, CancellationToken cancellationToken)
    {
        try
        {
            return await AppendAsync(http, state, algorithm, discardOnFailure, cancellationToken);
        }
        catch (RegistryException e) when (e.Code == OciErrorCode.RangeInvalid)
        {
            return null;
        }
    }

    private async Task<UploadProgress> AppendAsync(HttpContext http, UploadState state, string algorithm, bool discardOnFailure, CancellationToken cancellationToken) =>
        await uploads.AppendAsync(state.UploadId, state.Offset, RequestBody(http), DeclaredLength(http), algorithm, discardOnFailure, cancellationToken);

    /// <summary>
    /// A PUT that carries the whole blob for an upload still empty (POST then PUT): taken in straight into the blob
    /// store, its digest known as it arrives. A client whose PUT fails starts over rather than resumes, so the
    /// upload is left empty, as it began.
    /// </summary>
    private async Task<IResult> TakeInWholeOrRefusalAsync(HttpContext http, RepositoryName name, UploadState state, Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            await uploads.TakeInWholeAsync(state.UploadId, RequestBody(http), DeclaredLength(http), digest, cancellationToken);
        }
        catch (RegistryException e) when (e.Code == OciErrorCode.RangeInvalid)
        {
            // A chunk landed between the position check and the upload's lock.
            return RangeRefusal(http, state, CurrentLength(state.UploadId));
        }

        blobs.Link(name, digest);
        return BlobCreated(http, name, digest);
    }

    /// <summary>The request's body, with the size limit lifted: blobs may be any size, and upload bodies stream to disk.</summary>
    private static Stream RequestBody(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        return CountingStream.RequestBody(http);
    }

    private static long? DeclaredLength(HttpContext http) =>
        ContentRange.TryParse(http.Request.Headers.ContentRange, out var range) ? range.Length : http.Request.ContentLength;

    private async Task<IResult> CommitAsync(HttpContext http, RepositoryName name, string id, Digest digest, UploadProgress progress, CancellationToken cancellationToken)
    {
        await uploads.CommitAsync(id, digest, progress, cancellationToken);
        blobs.Link(name, digest);
        return BlobCreated(http, name, digest);
    }

    private static IResult BlobCreated(HttpContext http, RepositoryName name, Digest digest)
    {
        http.Response.Headers[RegistryHeaders.ContentDigest] = digest.ToString();
        return TypedResults.Created($"/v2/{name}/blobs/{digest}");
    }

    private IResult UploadAccepted(HttpContext http, UploadState state)
    {
        WriteUploadHeaders(http, state);
        return TypedResults.Accepted((string?)null);
    }

    private void WriteUploadHeaders(HttpContext http, UploadState state)
    {
        var headers = http.Response.Headers;
        headers.Location = $"/v2/{state.Repository}/blobs/uploads/{state.UploadId}?_state={tokens.Sign(state)}";
        headers.Range = $"0-{Math.Max(0, state.Offset - 1)}";
        headers[RegistryHeaders.UploadUuid] = state.UploadId;
        headers[RegistryHeaders.UploadSessionId] = state.UploadId;
    }

    private static bool HasBody(HttpContext http) =>
        http.Request.ContentLength > 0
        || (http.Request.ContentLength is null && http.Request.Headers.TransferEncoding.Count > 0);

    private static RegistryException UnknownUpload(string id) =>
        new(OciErrorCode.BlobUploadUnknown, $"upload {id} is unknown: it finished, was cancelled or expired; start a new upload");
}
