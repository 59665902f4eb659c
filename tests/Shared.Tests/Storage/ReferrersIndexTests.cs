using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

/// <summary>distribution-spec: Listing Referrers, at the storage level.</summary>
public sealed class ReferrersIndexTests : IDisposable
{
    private static readonly RepositoryName App = RepositoryName.Parse("app");
    private static readonly Digest Subject = Digest.Compute([42]);

    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task AddAsync_ThenList_ReturnsTheDescriptorWithArtifactTypeAndAnnotations()
    {
        var referrer = Referrer([1]) with
        {
            ArtifactType = "application/vnd.example.sbom",
            Annotations = new Dictionary<string, string> { ["org.example.key"] = "value" },
        };

        await _store.Referrers.AddAsync(App, Subject, referrer, CancellationToken.None);

        var listed = Assert.Single(await ListAsync(App, Subject));
        Assert.Equal(referrer.Digest, listed.Digest);
        Assert.Equal(referrer.MediaType, listed.MediaType);
        Assert.Equal(referrer.Size, listed.Size);
        Assert.Equal("application/vnd.example.sbom", listed.ArtifactType);
        Assert.Equal(referrer.Annotations, listed.Annotations);
    }

    [Fact]
    public async Task ListAsync_SeveralReferrers_InDigestOrder()
    {
        var referrers = Enumerable.Range(0, 5).Select(i => Referrer([(byte)i])).ToList();
        foreach (var referrer in referrers)
        {
            await _store.Referrers.AddAsync(App, Subject, referrer, CancellationToken.None);
        }

        var listed = await ListAsync(App, Subject);

        Assert.Equal(referrers.Select(r => r.Digest).Order(StringComparer.Ordinal), listed.Select(r => r.Digest));
    }

    [Fact]
    public async Task AddAsync_SameReferrerTwice_ListsItOnce()
    {
        var referrer = Referrer([1]);

        await _store.Referrers.AddAsync(App, Subject, referrer, CancellationToken.None);
        await _store.Referrers.AddAsync(App, Subject, referrer, CancellationToken.None);

        Assert.Single(await ListAsync(App, Subject));
    }

    [Fact]
    public async Task ListAsync_SubjectWithoutReferrers_ReturnsEmpty()
    {
        await _store.Referrers.AddAsync(App, Subject, Referrer([1]), CancellationToken.None);

        Assert.Empty(await ListAsync(App, Digest.Compute([43])));
        Assert.Empty(await ListAsync(RepositoryName.Parse("never/pushed"), Subject));
    }

    [Fact]
    public async Task ListAsync_OtherRepository_DoesNotSeeTheReferrer()
    {
        await _store.Referrers.AddAsync(App, Subject, Referrer([1]), CancellationToken.None);

        Assert.Empty(await ListAsync(RepositoryName.Parse("other"), Subject));
    }

    [Fact]
    public async Task Remove_Referrer_DropsOnlyIt()
    {
        var kept = Referrer([1]);
        var removed = Referrer([2]);
        await _store.Referrers.AddAsync(App, Subject, kept, CancellationToken.None);
        await _store.Referrers.AddAsync(App, Subject, removed, CancellationToken.None);

        _store.Referrers.Remove(App, Subject, Digest.Parse(removed.Digest));
        _store.Referrers.Remove(App, Subject, Digest.Parse(removed.Digest));

        Assert.Equal(kept.Digest, Assert.Single(await ListAsync(App, Subject)).Digest);
    }

    [Fact]
    public async Task ListAsync_LeftoverTempFile_IsNotAReferrer()
    {
        // What a crash between writing and renaming a referrer entry leaves behind.
        var referrer = Referrer([1]);
        await _store.Referrers.AddAsync(App, Subject, referrer, CancellationToken.None);
        var link = _store.Layout.ReferrerLink(App, Subject, Digest.Parse(referrer.Digest));
        await File.WriteAllTextAsync(AtomicFile.TempPathFor(link), "{\"mediaType\":");

        Assert.Equal(referrer.Digest, Assert.Single(await ListAsync(App, Subject)).Digest);
    }

    private Task<IReadOnlyList<Descriptor>> ListAsync(RepositoryName name, Digest subject) =>
        _store.Referrers.ListAsync(name, subject, CancellationToken.None);

    private static Descriptor Referrer(byte[] content) => TestManifests.DescriptorOf(MediaTypes.OciManifest, content);
}
