using NeonRegistry.Oci;

namespace NeonRegistry.Tests.Support;

/// <summary>One random step of building a store for <see cref="RandomStoreModel"/>, recorded in the model as it is pushed.</summary>
public sealed class RandomOperation(RandomStoreModel model, StoreBuilder builder, Random random, RepositoryName name, IReadOnlyList<byte[]> layerPool)
{
    private static readonly string[] TagNames = ["latest", "v1", "v2", "stable"];

    public async Task RunAsync()
    {
        var manifests = model.Manifests(name).Values.ToList();
        var images = manifests.Where(e => e.Children.Count == 0 && e.Subject is null).ToList();
        switch (random.Next(9))
        {
            case 0 or 1:
                await ImageAsync();
                break;
            case 2 when images.Count >= 2:
                await IndexAsync(images);
                break;
            case 3 when manifests.Count > 0:
                await ReferrerAsync(manifests);
                break;
            case 4:
                await builder.Store.PushBlobAsync(name, random.Next(2) == 0 ? Pick(layerPool) : builder.RandomBytes(40));
                break;
            case 5 when manifests.Count > 0:
                var deleted = Pick(manifests).Manifest.Digest;
                await builder.Store.Manifests.DeleteAsync(name, Reference.Parse(deleted.ToString()), CancellationToken.None);
                model.Remove(name, deleted);
                break;
            case 6 when model.Tags(name).Count > 0:
                var tag = Pick(model.Tags(name).Keys.ToList());
                builder.Store.Tags.Delete(name, tag);
                model.RemoveTag(name, tag);
                break;
            case 7:
                await CopyFromAnotherRepositoryAsync();
                break;
            default:
                await ImageAsync();
                break;
        }
    }

    private async Task ImageAsync()
    {
        var tag = MaybeTag();
        var layers = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(layerPool)).Distinct().ToList();
        model.Add(await builder.ImageAsync(name, tag, layers), [], null, tag);
    }

    private async Task IndexAsync(List<ModelManifest> images)
    {
        var tag = MaybeTag();
        var children = images.OrderBy(_ => random.Next()).Take(random.Next(2, 4)).Select(e => e.Manifest).ToList();
        model.Add(await builder.IndexAsync(name, tag, children), children.Select(c => c.Digest).ToList(), null, tag);
    }

    private async Task ReferrerAsync(List<ModelManifest> manifests)
    {
        var subject = Pick(manifests).Manifest;
        var tag = random.Next(4) == 0 ? MaybeTag() : null;
        model.Add(await builder.ReferrerAsync(name, subject, tag), [], subject.Digest, tag);
    }

    /// <summary>The same image bytes in a second repository, as a copy with cross-repository mounts makes it.</summary>
    private async Task CopyFromAnotherRepositoryAsync()
    {
        var source = model.Repositories.Where(r => r != name)
            .SelectMany(r => model.Manifests(r).Values)
            .Where(e => e.Children.Count == 0 && e.Subject is null)
            .ToList();
        if (source.Count == 0)
        {
            await ImageAsync();
            return;
        }

        var original = Pick(source).Manifest;
        foreach (var blob in original.Blobs.Skip(1))
        {
            builder.Store.Blobs.Link(name, blob);
        }

        var tag = MaybeTag();
        var content = (await builder.Store.Blobs.ReadOrNullAsync(original.Digest, CancellationToken.None))!;
        await builder.Store.Manifests.PutAsync(name, Reference.Parse(tag ?? original.Digest.ToString()), content, MediaTypes.OciManifest, CancellationToken.None);
        model.Add(original with { Repository = name }, [], null, tag);
    }

    private string? MaybeTag() => random.Next(2) == 0 ? Pick(TagNames) : null;

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
