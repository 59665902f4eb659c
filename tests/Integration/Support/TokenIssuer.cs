using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace NeonRegistry.Integration.Support;

/// <summary>
/// A small token server after Docker's token authentication specification, as a real host on loopback:
/// <c>GET /token?service=..&amp;scope=repository:NAME:pull</c> with the issuer's basic login returns a JWT that a
/// registry configured with <see cref="RootCertificatePem"/> as its root bundle accepts. It records every request
/// and whether it carried credentials, so tests can count logins and prove none went where they should not.
/// </summary>
public sealed class TokenIssuer : IAsyncDisposable
{
    public const string Username = "token-user";
    public const string Password = "token-password";
    public const string Issuer = "neon-test-issuer";

    private static readonly string[] GrantableActions = ["pull", "push"];

    private readonly WebApplication _app;
    private readonly RSA _key;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentQueue<TokenRequest> _requests = new();

    private TokenIssuer(WebApplication app, RSA key, X509Certificate2 certificate, TimeSpan expiresIn)
    {
        _app = app;
        _key = key;
        _certificate = certificate;
        ExpiresIn = expiresIn;
        BaseAddress = LoopbackApp.AddressOf(app);
    }

    public Uri BaseAddress { get; }

    /// <summary>The realm a registry names in its Bearer challenge.</summary>
    public Uri TokenUrl => new(BaseAddress, "/token");

    /// <summary>The signing key's self-signed certificate, for a registry's <c>rootcertbundle</c>.</summary>
    public string RootCertificatePem => _certificate.ExportCertificatePem();

    /// <summary>The lifetime of tokens issued from now on (<c>expires_in</c> and the JWT's <c>exp</c>).</summary>
    public TimeSpan ExpiresIn { get; set; }

    /// <summary>Sends <c>expires_in</c> as a JSON string ("300"), as some token services do.</summary>
    public bool ExpiresInAsString { get; set; }

    public IReadOnlyList<TokenRequest> Requests => _requests.ToList();

    public static async Task<TokenIssuer> StartAsync(TimeSpan? expiresIn = null)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={Issuer}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        // Backdated an hour so a registry's clock check never sees it as not yet valid.
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));

        var app = LoopbackApp.Create();
        TokenIssuer? issuer = null;
        app.MapGet("/token", http => issuer!.HandleAsync(http));
        await app.StartAsync();
        issuer = new TokenIssuer(app, key, certificate, expiresIn ?? TimeSpan.FromMinutes(5));
        return issuer;
    }

    /// <summary>Gets a token over HTTP with the issuer's login, as a registry client would; it is recorded like any other request.</summary>
    public async Task<string> RequestTokenAsync(string service, string scope)
    {
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = RegistryServer.BasicAuth(Username, Password);
        using var response = await client.GetAsync($"{TokenUrl}?service={Uri.EscapeDataString(service)}&scope={Uri.EscapeDataString(scope)}");
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    public void ResetCounts() => _requests.Clear();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
        _key.Dispose();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var service = http.Request.Query["service"].ToString() is { Length: > 0 } named ? named : null;
        var scopes = http.Request.Query["scope"].Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList();
        var carriedCredentials = http.Request.Headers.Authorization.Count > 0;
        var status = !IsLogin(http.Request.Headers.Authorization.ToString()) ? StatusCodes.Status401Unauthorized
            : service is null ? StatusCodes.Status400BadRequest
            : StatusCodes.Status200OK;
        _requests.Enqueue(new TokenRequest(service, scopes, carriedCredentials, status));
        http.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Issuer}\"";
            return;
        }

        if (status != StatusCodes.Status200OK)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow;
        var token = CreateToken(service!, scopes, now);
        await http.Response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            ["token"] = token,
            ["access_token"] = token,
            ["expires_in"] = ExpiresInAsString ? ((int)ExpiresIn.TotalSeconds).ToString(CultureInfo.InvariantCulture) : (int)ExpiresIn.TotalSeconds,
            ["issued_at"] = now.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        });
    }

    private static bool IsLogin(string header) =>
        AuthenticationHeaderValue.TryParse(header, out var value)
        && value.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)
        && value.Parameter == Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));

    /// <summary>
    /// A compact JWS (RS256) whose <c>x5c</c> header carries the signing certificate, so distribution verifies it
    /// against its root bundle; <c>aud</c> is the service the registry named, <c>access</c> what the scopes asked for.
    /// </summary>
    private string CreateToken(string service, IReadOnlyList<string> scopes, DateTimeOffset now)
    {
        var header = new Dictionary<string, object>
        {
            ["typ"] = "JWT",
            ["alg"] = "RS256",
            ["x5c"] = new[] { Convert.ToBase64String(_certificate.RawData) },
        };
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = Username,
            ["aud"] = service,
            ["exp"] = (now + ExpiresIn).ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = scopes.Select(Access).OfType<object>().ToArray(),
        };
        var signingInput = $"{Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary><c>repository:NAME:ACTIONS</c> as an access claim granting the pull and push it asks for; null for anything else.</summary>
    private static object? Access(string scope)
    {
        var first = scope.IndexOf(':');
        var last = scope.LastIndexOf(':');
        if (first <= 0 || last <= first || scope[..first] != "repository")
        {
            return null;
        }

        var actions = scope[(last + 1)..].Split(',').Intersect(GrantableActions).ToArray();
        return new Dictionary<string, object> { ["type"] = "repository", ["name"] = scope[(first + 1)..last], ["actions"] = actions };
    }
}
