using BenchmarkDotNet.Attributes;
using NeonRegistry.Api;

namespace NeonRegistry.Micro;

/// <summary>Parsing the raw request target of a /v2 request, done once per API request.</summary>
[MemoryDiagnoser]
public class RouteBenchmarks
{
    private const string Digest = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";

    [Benchmark]
    public object? ManifestByTag() => V2Route.Parse("/v2/library/nginx/manifests/1.27-alpine");

    [Benchmark]
    public object? ManifestByDigest() => V2Route.Parse("/v2/library/nginx/manifests/" + Digest);

    [Benchmark]
    public object? BlobByDigest() => V2Route.Parse("/v2/library/nginx/blobs/" + Digest);

    [Benchmark]
    public object? NestedRepository() => V2Route.Parse("/v2/acme/platform/build-tools/go-builder/manifests/v1.4.2?ns=docker.io");
}
