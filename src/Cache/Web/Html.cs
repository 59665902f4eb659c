using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace NeonRegistry.Web;

/// <summary>
/// The pages' HTML, written by hand: every value from the store or the request goes through <see cref="Text"/>,
/// since annotations (and, in a cache, whatever an upstream sent) may carry markup.
/// </summary>
internal static class Html
{
    public const string ContentType = "text/html; charset=utf-8";

    public static string Text(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    public static string Url(string value) => Uri.EscapeDataString(value);

    /// <summary>A repository name in a path: each component escaped, the slashes kept.</summary>
    public static string PathOf(string repository) => string.Join('/', repository.Split('/').Select(Url));

    public static string Bytes(long bytes) => Text(Commands.ByteSize.Format(bytes));

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? $"<time datetime=\"{t.UtcDateTime:O}\">{t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC</time>" : "-";

    /// <summary>A whole page: the header with this instance's name and the navigation, then <paramref name="body"/>.</summary>
    public static string Page(string title, string instance, string body)
    {
        var page = new StringBuilder(body.Length + 1024);
        page.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(Text(title)).Append(" - neon-registry</title>")
            .Append("<link rel=\"stylesheet\" href=\"").Append(WebEndpoints.StylesheetPath).Append("\"></head><body>")
            .Append("<header><a class=\"brand\" href=\"/\">neon-registry</a><span class=\"host\">").Append(Text(instance)).Append("</span>")
            .Append("<nav><a href=\"/\">Repositories</a><a href=\"").Append(WebEndpoints.StatusPath).Append("\">Status</a></nav></header>")
            .Append("<main><h1>").Append(Text(title)).Append("</h1>").Append(body).Append("</main></body></html>");
        return page.ToString();
    }
}
