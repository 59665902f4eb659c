using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using NeonRegistry.Storage;

namespace NeonRegistry.Micro;

/// <summary>
/// A 32 MiB upload body copied into a file with its sha256 computed on the way (as a monolithic upload does),
/// against the same copy without the hash: the difference is the cost of the digest check.
/// </summary>
[MemoryDiagnoser]
public class UploadBenchmarks
{
    private const int Size = 32 * 1024 * 1024;

    private byte[] _body = [];
    private string _dir = "";
    private string _target = "";

    [GlobalSetup]
    public void Setup()
    {
        _body = new byte[Size];
        new Random(42).NextBytes(_body);
        _dir = Directory.CreateTempSubdirectory("neon-micro-").FullName;
        _target = Path.Combine(_dir, "data");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark(Baseline = true)]
    public Task<long> CopyOnly() => Copy(null);

    [Benchmark]
    public async Task<long> CopyAndSha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var copied = await Copy(hash);
        hash.GetHashAndReset();
        return copied;
    }

    private async Task<long> Copy(IncrementalHash? hash)
    {
        using var source = new MemoryStream(_body, writable: false);
        await using var file = new FileStream(_target, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        return await DigestingWriter.CopyAsync(source, file, hash, CancellationToken.None);
    }
}
