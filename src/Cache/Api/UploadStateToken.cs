using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NeonRegistry.Configuration;
using NeonRegistry.Oci;

namespace NeonRegistry.Api;

/// <summary>
/// Signs and checks upload state with HMAC-SHA256 under SECRET, so that any instance sharing the secret can trust
/// state that another instance issued, and nobody else can forge or alter it (distribution's hmac.go does likewise).
/// </summary>
internal sealed class UploadStateToken(RegistryOptions options)
{
    private readonly byte[] _key = SHA256.HashData(Encoding.UTF8.GetBytes("neon-registry upload state\n" + options.Secret));

    public string Sign(UploadState state)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(state, RegistryJsonContext.Default.UploadState);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_key, payload));
    }

    /// <summary>Returns the state the token carries, if it is intact and belongs to this repository and upload.</summary>
    /// <exception cref="RegistryException">BLOB_UPLOAD_INVALID for a missing, altered or foreign token.</exception>
    public UploadState Verify(string? token, RepositoryName name, string uploadId)
    {
        var state = TryRead(token);
        if (state is null || state.Repository != name.Value || state.UploadId != uploadId)
        {
            throw new RegistryException(
                OciErrorCode.BlobUploadInvalid,
                "the upload URL's state is missing, altered or belongs to another upload: use the Location the registry returned last, or start a new upload");
        }

        return state;
    }

    private UploadState? TryRead(string? token)
    {
        var dot = token?.IndexOf('.') ?? -1;
        if (dot < 0)
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            var signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
            if (!CryptographicOperations.FixedTimeEquals(signature, HMACSHA256.HashData(_key, payload)))
            {
                return null;
            }

            return JsonSerializer.Deserialize(payload, RegistryJsonContext.Default.UploadState);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
