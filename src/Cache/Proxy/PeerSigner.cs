using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NeonRegistry.Configuration;

namespace NeonRegistry.Proxy;

/// <summary>
/// Signs a request from one cache node to another, and checks such a signature: the <see cref="HeaderName"/>
/// header carries the sending node, a timestamp and an HMAC-SHA256 under SECRET over the method, the request
/// target and both, so it cannot be moved to another request or kept for later. Only nodes that share SECRET can
/// make one, so a cache is never an open relay to its peers.
/// </summary>
internal sealed class PeerSigner(PeerOptions options, string sender, TimeProvider clock) : IRequestAuthorization
{
    public const string HeaderName = "X-Registry-Peer";

    /// <summary>How far a signature's timestamp may be from the receiver's clock, either way.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromSeconds(30);

    // Its own key, derived from SECRET: a peer signature can never pass for an upload-state token, or the reverse.
    private readonly byte[] _key = SHA256.HashData(Encoding.UTF8.GetBytes("neon-registry peer request\n" + options.Secret));

    /// <summary>The header's value for <paramref name="method"/> on <paramref name="target"/> (path and query, as sent).</summary>
    public string Sign(string method, string target)
    {
        var seconds = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"{sender} {seconds} {Base64Url.EncodeToString(Mac(method, target, seconds, sender))}";
    }

    /// <returns>Null when <paramref name="value"/> is a valid signature of this request; else why it is not.</returns>
    public string? RefusalOrNull(string method, string target, string? value)
    {
        var parts = value?.Split(' ') ?? [];
        if (parts.Length != 3 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return "the peer signature is missing or malformed";
        }

        byte[] signature;
        try
        {
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException)
        {
            return "the peer signature is malformed";
        }

        if (!CryptographicOperations.FixedTimeEquals(signature, Mac(method, target, parts[1], parts[0])))
        {
            return "the peer signature does not match: the sender's SECRET differs from this node's, or the request was altered";
        }

        var age = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        return age.Duration() > Validity ? $"the peer signature has expired: its time is {age.Duration().TotalSeconds:0} s from this node's clock (check the nodes' clocks)" : null;
    }

    /// <summary>Signs each request as it is (re)built, so a retried one carries a fresh timestamp.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpClient http, Func<HttpRequestMessage> create, string scope, CancellationToken cancellationToken)
    {
        var request = create();
        request.Headers.TryAddWithoutValidation(HeaderName, Sign(request.Method.Method, request.RequestUri!.PathAndQuery));
        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private byte[] Mac(string method, string target, string seconds, string from) =>
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{method}\n{target}\n{seconds}\n{from}"));
}
