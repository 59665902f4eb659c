using System.Diagnostics;
using NeonRegistry.Oci;
using NeonRegistry.Storage;
using NeonRegistry.Tests.Support;

namespace NeonRegistry.Tests.Storage;

/// <summary>
/// One instance deletes a manifest by digest while another pushes the same manifest under a new tag. Either
/// order is a valid outcome, but a tag must never be left naming a manifest that is gone, nor the manifest left
/// without the tag it was pushed with.
/// </summary>
public sealed class ManifestDeleteRaceTests : IDisposable
{
    private static readonly RepositoryName App = RepositoryName.Parse("app");

    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task DeleteByDigest_RacingAPushOfTheSameManifestWithATag_NeverLeavesTheTagDangling()
    {
        var dangling = 0;
        var halfDeleted = 0;
        for (var i = 0; i < 150; i++)
        {
            var (digest, content) = await _store.PushImageAsync(App, "v1");
            var tag = $"v2-{i}";
            // The push stores the revision, then the tag, a few milliseconds apart: start the delete at varying
            // points of it.
            var lag = TimeSpan.FromMicroseconds(Random.Shared.Next(0, 4000));
            using var start = new Barrier(2);
            var delete = Task.Run(async () =>
            {
                start.SignalAndWait();
                var started = Stopwatch.GetTimestamp();
                while (Stopwatch.GetElapsedTime(started) < lag)
                {
                }

                await _store.Manifests.DeleteAsync(App, Reference.Parse(digest.ToString()), CancellationToken.None);
            });
            var push = Task.Run(async () =>
            {
                start.SignalAndWait();
                await _store.Manifests.PutAsync(App, Reference.Parse(tag), content, MediaTypes.OciManifest, CancellationToken.None);
            });
            await Task.WhenAll(delete, push);

            // Either the push came last (tag and manifest) or the delete did (neither): never one without the other.
            var tagged = _store.Tags.ResolveOrNull(App, tag) == digest;
            var held = File.Exists(_store.Layout.ManifestRevision(App, digest));
            if (tagged && !held)
            {
                dangling++;
            }
            else if (held && !tagged)
            {
                halfDeleted++;
            }
        }

        Assert.Equal(0, dangling);
        Assert.Equal(0, halfDeleted);
    }
}
