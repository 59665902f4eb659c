using System.Globalization;

namespace NeonRegistry.Api;

/// <summary>
/// The <c>Content-Range</c> of a chunk upload (distribution-spec: Pushing a blob in chunks), <c>&lt;start&gt;-&lt;end&gt;</c>
/// inclusive; the "bytes " prefix some clients send is accepted too.
/// </summary>
internal readonly record struct ContentRange(long Start, long End)
{
    public long Length => End - Start + 1;

    public static bool TryParse(string? value, out ContentRange range)
    {
        range = default;
        if (value is null)
        {
            return false;
        }

        var text = value.StartsWith("bytes ", StringComparison.Ordinal) ? value[6..] : value;
        var slash = text.IndexOf('/');
        if (slash >= 0)
        {
            text = text[..slash];
        }

        var dash = text.IndexOf('-');
        if (dash <= 0
            || !long.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            || end < start)
        {
            return false;
        }

        range = new ContentRange(start, end);
        return true;
    }
}
