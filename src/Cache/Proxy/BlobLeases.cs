using System.Collections.Concurrent;
using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>Blobs being served right now, which eviction must leave alone.</summary>
internal sealed class BlobLeases
{
    private readonly ConcurrentDictionary<Digest, int> _counts = new();

    public bool IsLeased(Digest digest) => _counts.ContainsKey(digest);

    public IDisposable Acquire(Digest digest)
    {
        _counts.AddOrUpdate(digest, 1, (_, count) => count + 1);
        return new Lease(this, digest);
    }

    private void Release(Digest digest)
    {
        while (_counts.TryGetValue(digest, out var count))
        {
            var done = count == 1
                ? _counts.TryRemove(new KeyValuePair<Digest, int>(digest, 1))
                : _counts.TryUpdate(digest, count - 1, count);
            if (done)
            {
                return;
            }
        }
    }

    private sealed class Lease(BlobLeases owner, Digest digest) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(digest);
            }
        }
    }
}
