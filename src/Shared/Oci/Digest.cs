using System.Security.Cryptography;

namespace NeonRegistry.Oci;

/// <summary>
/// A content digest, <c>algorithm:hex</c>, restricted to the registered algorithms sha256 and sha512
/// (image-spec: Digests). Parsing is strict, so a parsed digest is always safe to use in a path.
/// </summary>
public readonly record struct Digest
{
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public string Algorithm { get; }

    public string Hex { get; }

    public static bool TryParse(string? value, out Digest digest)
    {
        digest = default;
        if (value is null)
        {
            return false;
        }

        var colon = value.IndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        var algorithm = value[..colon];
        var hex = value[(colon + 1)..];
        var expectedLength = algorithm switch
        {
            Sha256 => 64,
            Sha512 => 128,
            _ => -1,
        };
        if (hex.Length != expectedLength || !hex.All(IsLowerHex))
        {
            return false;
        }

        digest = new Digest(algorithm, hex);
        return true;
    }

    /// <exception cref="RegistryException">DIGEST_INVALID when the value is not a sha256 or sha512 digest.</exception>
    public static Digest Parse(string? value) =>
        TryParse(value, out var digest)
            ? digest
            : throw new RegistryException(
                OciErrorCode.DigestInvalid,
                $"'{value}' is not a valid digest: expected sha256:<64 hex> or sha512:<128 hex>, in lower case");

    /// <summary>The digest of a byte buffer, for manifests (the only content small enough to hold in memory).</summary>
    public static Digest Compute(ReadOnlySpan<byte> content, string algorithm = Sha256) =>
        algorithm == Sha512
            ? new(Sha512, Convert.ToHexStringLower(SHA512.HashData(content)))
            : new(Sha256, Convert.ToHexStringLower(SHA256.HashData(content)));

    public static Digest FromHash(string algorithm, byte[] hash) => new(algorithm, Convert.ToHexStringLower(hash));

    public HashAlgorithmName HashAlgorithm => HashAlgorithmOf(Algorithm);

    /// <summary>True for an algorithm a digest may name: sha256 or sha512 (image-spec: Registered algorithms).</summary>
    public static bool IsSupportedAlgorithm(string? algorithm) => algorithm is Sha256 or Sha512;

    /// <exception cref="ArgumentException">For an algorithm <see cref="IsSupportedAlgorithm"/> refuses.</exception>
    public static HashAlgorithmName HashAlgorithmOf(string algorithm) => algorithm switch
    {
        Sha256 => HashAlgorithmName.SHA256,
        Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentException($"unsupported digest algorithm '{algorithm}'", nameof(algorithm)),
    };

    public override string ToString() => $"{Algorithm}:{Hex}";

    private static bool IsLowerHex(char c) => c is >= '0' and <= '9' or >= 'a' and <= 'f';
}
