using NeonRegistry.Maintenance;
using NeonRegistry.Oci;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Maintenance;

/// <summary>
/// Garbage collection over randomly generated stores: layers shared across repositories, multi-platform indexes,
/// referrers (of referrers too), untagged and re-tagged revisions, manifests copied between repositories, deletes
/// through the API, orphan blobs and recently used revisions. A model of what was pushed, kept apart from the
/// store, says which manifests must survive; after collection every one of them must be whole, and nothing else
/// may be left.
/// </summary>
public sealed class GarbageCollectionPropertyTests
{
    private static readonly string[] RepositoryNames = ["app", "team/api", "team/web", "base"];

    private const int Iterations = 50;

    // Building a store is mostly waiting on fsync, so stores are built side by side.
    private const int Parallelism = 16;

    [Fact]
    public async Task Run_RandomStores_NoKeptManifestLosesABlobAndNoGarbageRemains()
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(1, Iterations), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (seed, _) =>
        {
            try
            {
                await CheckAsync(seed);
            }
            catch (Exception e)
            {
                failures.Add($"seed {seed}: {e.Message}");
            }
        });

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Order()));
    }

    /// <summary>One store, generated from <paramref name="seed"/>: a failure names its seed, and the seed alone reproduces it.</summary>
    private static async Task CheckAsync(int seed)
    {
        using var store = new TempStore();
        var random = new Random(seed);
        var model = await RandomStoreModel.BuildAsync(new StoreBuilder(store, random), random, RepositoryNames);
        FileAges.Backdate(store.Root, TimeSpan.FromHours(2));
        var recent = model.RenewSomeRevisions(store, random);
        var options = new GarbageCollectionOptions { DeleteUntagged = random.Next(2) == 0 };

        var summary = await new GarbageCollector(store.Layout, TimeProvider.System).RunAsync(options, new RecordingReporter(), CancellationToken.None);

        var kept = model.ExpectedKept(options.DeleteUntagged, recent);
        var builder = new StoreBuilder(store);
        foreach (var manifest in kept)
        {
            await builder.AssertWholeAsync(manifest);
        }

        var expectedRevisions = kept.Select(m => (m.Repository, m.Digest)).Where(model.IsPresent).ToHashSet();
        Assert.Equal(expectedRevisions.Count, summary.ManifestsKept);
        Assert.Equal(expectedRevisions.OrderBy(r => $"{r.Repository}@{r.Digest}"), model.StoredRevisions(store).OrderBy(r => $"{r.Repository}@{r.Digest}"));
        Assert.Equal(kept.SelectMany(m => m.Blobs).ToHashSet().Order(DigestOrder.Instance), StoredBlobs(store).Order(DigestOrder.Instance));
        Assert.False(summary.Interrupted);
    }

    private static IEnumerable<Digest> StoredBlobs(TempStore store) =>
        store.Files()
            .Where(f => f.StartsWith("blobs", StringComparison.Ordinal))
            .Select(f => Digest.Parse($"{f.Split(Path.DirectorySeparatorChar)[1]}:{Path.GetFileName(f)}"));
}
