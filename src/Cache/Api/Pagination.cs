using System.Globalization;
using NeonRegistry.Oci;

namespace NeonRegistry.Api;

/// <summary>
/// The <c>n</c>/<c>last</c> pagination shared by the tags list and the catalog (distribution-spec: Listing Tags):
/// items after <c>last</c> in ordinal order, at most <c>n</c> of them, and a <c>Link</c> header when more remain.
/// </summary>
internal static class Pagination
{
    /// <exception cref="RegistryException">PAGINATION_NUMBER_INVALID for an <c>n</c> that is not a non-negative integer.</exception>
    public static IReadOnlyList<string> Page(HttpContext http, IReadOnlyList<string> sorted, string path)
    {
        var query = http.Request.Query;
        var (page, more) = Slice(sorted, query["last"], ParseSize(query["n"]));
        if (more && page.Count > 0)
        {
            http.Response.Headers.Link = $"<{path}?n={page.Count}&last={Uri.EscapeDataString(page[^1])}>; rel=\"next\"";
        }

        return page;
    }

    /// <summary>The items after <paramref name="last"/>, at most <paramref name="size"/> of them (all when null), and whether more remain.</summary>
    public static (IReadOnlyList<string> Page, bool More) Slice(IReadOnlyList<string> sorted, string? last, int? size)
    {
        var start = 0;
        if (!string.IsNullOrEmpty(last))
        {
            while (start < sorted.Count && string.CompareOrdinal(sorted[start], last) <= 0)
            {
                start++;
            }
        }

        var remaining = sorted.Count - start;
        var count = Math.Min(size ?? remaining, remaining);
        return (sorted.Skip(start).Take(count).ToList(), count < remaining);
    }

    private static int? ParseSize(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new RegistryException(OciErrorCode.PaginationNumberInvalid, $"n '{value}' must be a non-negative integer");
    }
}
