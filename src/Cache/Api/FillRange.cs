using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace NeonRegistry.Api;

/// <summary>
/// The byte range a request asks of a blob still being fetched, read with the framework's <c>Range</c> parser and
/// answered as <c>PhysicalFile</c> answers committed blobs: one range, honoured only with a known length and an
/// <c>If-Range</c> (if any) naming the blob's ETag. Anything else is answered with the whole blob, which is always
/// a valid answer to a range request (RFC 9110, Range).
/// </summary>
internal readonly record struct FillRange(long Offset, long Length, bool Satisfiable)
{
    /// <returns>Null for the whole blob.</returns>
    public static FillRange? FromRequest(RequestHeaders headers, EntityTagHeaderValue entityTag, long? blobLength)
    {
        if (blobLength is not { } total || headers.Range is not { } range
            || !range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase) || range.Ranges.Count != 1
            || (headers.IfRange is { } ifRange && (ifRange.EntityTag is not { } tag || !tag.Compare(entityTag, useStrongComparison: true))))
        {
            return null;
        }

        var item = range.Ranges.Single();
        var (from, to) = item.From is { } start
            ? (start, Math.Min(item.To ?? long.MaxValue, total - 1))
            : (Math.Max(0, total - item.To!.Value), total - 1);
        return from < total && from <= to && !(item.From is null && item.To == 0)
            ? new FillRange(from, to - from + 1, Satisfiable: true)
            : new FillRange(0, 0, Satisfiable: false);
    }

    public string ContentRange(long total) =>
        Satisfiable ? $"bytes {Offset}-{Offset + Length - 1}/{total}" : $"bytes */{total}";
}
