using BenchmarkDotNet.Attributes;
using NeonRegistry.Oci;

namespace NeonRegistry.Micro;

/// <summary>Digest parsing (every blob and manifest request) and hashing of a 1 MiB buffer.</summary>
[MemoryDiagnoser]
public class DigestBenchmarks
{
    private const string Valid = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";
    private const string Invalid = "sha256:6C3C624B58DBBCD3C0DD82B4C53F04194D1247C6EEBDAAB7C610CF7D66709B3B";

    private byte[] _mebibyte = [];

    [GlobalSetup]
    public void Setup()
    {
        _mebibyte = new byte[1024 * 1024];
        new Random(42).NextBytes(_mebibyte);
    }

    [Benchmark]
    public Digest Parse() => Digest.Parse(Valid);

    [Benchmark]
    public bool TryParseValid() => Digest.TryParse(Valid, out _);

    [Benchmark]
    public bool TryParseUpperCase() => Digest.TryParse(Invalid, out _);

    [Benchmark]
    public Digest Compute1MiB() => Digest.Compute(_mebibyte);
}
