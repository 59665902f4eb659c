using System.Text;
using Microsoft.Net.Http.Headers;

namespace NeonRegistry.Auth;

/// <summary>The user and password of an <c>Authorization: Basic</c> header (RFC 7617).</summary>
internal sealed record BasicCredentials(string Username, string Password)
{
    /// <returns>
    /// Null when the request carries no basic credentials, malformed ones, or an empty user and password
    /// (<c>Basic Og==</c>), which skopeo, podman and buildah send for an anonymous pull.
    /// </returns>
    public static BasicCredentials? FromRequest(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        const string scheme = "Basic ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[scheme.Length..].Trim()));
            var colon = decoded.IndexOf(':');
            return colon < 0 || decoded == ":" ? null : new BasicCredentials(decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
