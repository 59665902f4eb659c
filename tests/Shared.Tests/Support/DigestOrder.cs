using NeonRegistry.Oci;

namespace NeonRegistry.Tests.Support;

/// <summary>Orders digests by their text, as the maintenance runs report them.</summary>
public sealed class DigestOrder : IComparer<Digest>
{
    public static readonly DigestOrder Instance = new();

    public int Compare(Digest x, Digest y) => string.CompareOrdinal(x.ToString(), y.ToString());
}
