using NeonRegistry.Oci;

namespace NeonRegistry.Tests.Support;

/// <summary>
/// Pushes a random store through <see cref="StoreBuilder"/> and models, independently of the store's own files,
/// which manifests each repository holds, what its tags point at, each index's children and each referrer's subject.
/// </summary>
public sealed class RandomStoreModel
{
    private readonly Dictionary<RepositoryName, Dictionary<Digest, ModelManifest>> _manifests = [];
    private readonly Dictionary<RepositoryName, Dictionary<string, Digest>> _tags = [];

    private RandomStoreModel()
    {
    }

    public static async Task<RandomStoreModel> BuildAsync(StoreBuilder builder, Random random, IReadOnlyList<string> names)
    {
        var model = new RandomStoreModel();
        var pool = Enumerable.Range(0, random.Next(4, 11)).Select(_ => builder.RandomBytes(random.Next(16, 129))).ToList();
        foreach (var name in names.Take(random.Next(1, names.Count + 1)).Select(RepositoryName.Parse))
        {
            model._manifests[name] = [];
            model._tags[name] = new Dictionary<string, Digest>(StringComparer.Ordinal);
            var operations = random.Next(3, 11);
            for (var i = 0; i < operations; i++)
            {
                await new RandomOperation(model, builder, random, name, pool).RunAsync();
            }
        }

        return model;
    }

    public IEnumerable<RepositoryName> Repositories => _manifests.Keys;

    public IReadOnlyDictionary<Digest, ModelManifest> Manifests(RepositoryName name) => _manifests[name];

    public IReadOnlyDictionary<string, Digest> Tags(RepositoryName name) => _tags[name];

    public bool IsPresent((RepositoryName Repository, Digest Digest) revision) => _manifests[revision.Repository].ContainsKey(revision.Digest);

    public void Add(BuiltManifest manifest, IReadOnlyList<Digest> children, Digest? subject, string? tag)
    {
        _manifests[manifest.Repository][manifest.Digest] = new ModelManifest(manifest, children, subject);
        if (tag is not null)
        {
            _tags[manifest.Repository][tag] = manifest.Digest;
        }
    }

    /// <summary>What a delete through the API does: the revision and the tags pointing at it go.</summary>
    public void Remove(RepositoryName name, Digest digest)
    {
        _manifests[name].Remove(digest);
        foreach (var tag in _tags[name].Where(t => t.Value == digest).Select(t => t.Key).ToList())
        {
            _tags[name].Remove(tag);
        }
    }

    public void RemoveTag(RepositoryName name, string tag) => _tags[name].Remove(tag);

    /// <summary>Marks about one revision in ten as just used, so the grace period has something to protect.</summary>
    public HashSet<(RepositoryName, Digest)> RenewSomeRevisions(TempStore store, Random random)
    {
        var renewed = new HashSet<(RepositoryName, Digest)>();
        foreach (var (name, manifests) in _manifests)
        {
            foreach (var digest in manifests.Keys.Where(_ => random.Next(10) == 0))
            {
                File.SetLastWriteTimeUtc(store.Layout.ManifestRevision(name, digest), DateTime.UtcNow);
                renewed.Add((name, digest));
            }
        }

        return renewed;
    }

    /// <summary>
    /// The manifests garbage collection must keep: every revision; or, deleting untagged ones, what tags and recently
    /// used revisions reach through index children and referrers.
    /// </summary>
    public IReadOnlyList<BuiltManifest> ExpectedKept(bool deleteUntagged, IReadOnlySet<(RepositoryName, Digest)> recent)
    {
        var kept = new List<BuiltManifest>();
        foreach (var (name, manifests) in _manifests)
        {
            if (!deleteUntagged)
            {
                kept.AddRange(manifests.Values.Select(e => e.Manifest));
                continue;
            }

            var reached = new HashSet<Digest>();
            var pending = new Queue<Digest>(_tags[name].Values.Concat(manifests.Keys.Where(d => recent.Contains((name, d)))));
            while (pending.TryDequeue(out var digest))
            {
                if (!reached.Add(digest))
                {
                    continue;
                }

                // A kept index's child deleted through the API is no revision any more, but still named: its referrers stay.
                var children = manifests.TryGetValue(digest, out var entry) ? entry.Children : [];
                if (entry is not null)
                {
                    kept.Add(entry.Manifest);
                }

                foreach (var next in children.Concat(manifests.Values.Where(e => e.Subject == digest).Select(e => e.Manifest.Digest)))
                {
                    pending.Enqueue(next);
                }
            }
        }

        return kept;
    }

    /// <summary>The revisions actually on disk.</summary>
    public IEnumerable<(RepositoryName Repository, Digest Digest)> StoredRevisions(TempStore store) =>
        Repositories.SelectMany(name =>
            Directory.Exists(store.Layout.RevisionsDirectory(name))
                ? Directory.EnumerateFiles(store.Layout.RevisionsDirectory(name), "*", SearchOption.AllDirectories)
                    .Where(f => !Path.GetFileName(f).StartsWith('.'))
                    .Select(f => (name, Digest.Parse($"{Path.GetFileName(Path.GetDirectoryName(f))}:{Path.GetFileName(f)}")))
                : []);
}
