using System.Collections.Concurrent;
using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration.CephFs;

/// <summary>
/// What an instance holds in memory to answer pulls fast (a tag's content, checked by one shared stat) must never
/// let it answer older than a write another instance, on another node, has acknowledged.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class CephFsFreshnessTests(CephCluster ceph)
{
    // Longer than a tag file must rest before its content is held in memory (FileStamp.IsSettled), so the pulls
    // between writes are answered from memory and each write must be noticed there.
    private static readonly TimeSpan Rest = TimeSpan.FromSeconds(2.5);

    [SkippableFact]
    public async Task PullsOnNode2_WhileNode1MovesDeletesAndRestoresTags_NeverAnswerOlderThanTheLastAcknowledgedWrite()
    {
        var store = ceph.CreateStore("fresh");
        var settings = new Dictionary<string, string> { ["DELETE_ENABLED"] = "true" };
        await using var writer = await RegistryProcess.StartAsync(store.OnNode1, settings: settings);
        await using var reader = await RegistryProcess.StartAsync(store.OnNode2, settings: settings);
        var images = new List<PushedImage>();
        for (var i = 0; i < 4; i++)
        {
            images.Add(await writer.Client.PushImageAsync("fresh/app", $"v{i}"));
        }

        var removed = images[1].Digest;
        var history = new WriteHistory(["moving", "v1", removed], [null, images[1].Digest, images[1].Digest]);
        using var stop = new CancellationTokenSource();
        var pulls = Enumerable.Range(0, 4).Select(_ => Task.Run(() => PullAsync(reader.Client, history, stop.Token))).ToList();

        for (var i = 0; i < images.Count; i++)
        {
            await history.WriteAsync(["moving"], images[i].Digest, () => writer.Client.PutManifestAsync("fresh/app", "moving", TestContent.OciManifest, images[i].Manifest));
            await Task.Delay(Rest);
        }

        await history.WriteAsync([removed, "v1"], null, () => writer.Client.DeleteAsync($"/v2/fresh/app/manifests/{removed}"));
        await Task.Delay(Rest);
        await history.WriteAsync(["moving"], null, () => writer.Client.DeleteAsync("/v2/fresh/app/manifests/moving"));
        await Task.Delay(Rest);
        await history.WriteAsync(["moving", removed], removed, () => writer.Client.PutManifestAsync("fresh/app", "moving", TestContent.OciManifest, images[1].Manifest));
        await Task.Delay(Rest);

        await stop.CancelAsync();
        var answered = await Task.WhenAll(pulls);
        Assert.All(answered, count => Assert.True(count > 0, "a pull loop answered nothing"));
    }

    [SkippableFact]
    public async Task BlobDeletedOnNode1_WhileNode2ServesIt_IsNotFoundOnNode2OnceTheDeleteIsAcknowledged()
    {
        var store = ceph.CreateStore("fresh-blob");
        var settings = new Dictionary<string, string> { ["DELETE_ENABLED"] = "true" };
        await using var writer = await RegistryProcess.StartAsync(store.OnNode1, settings: settings);
        await using var reader = await RegistryProcess.StartAsync(store.OnNode2, settings: settings);
        var blob = TestContent.RandomBytes(64 * 1024);
        var digest = await writer.Client.PushBlobAsync("fresh/blob", blob);
        var deleted = 0;
        using var stop = new CancellationTokenSource();
        var pulls = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var answers = 0;
            while (!stop.IsCancellationRequested)
            {
                var after = Volatile.Read(ref deleted) == 1;
                using var response = await reader.Client.GetAsync($"/v2/fresh/blob/blobs/{digest}");
                if (after)
                {
                    Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                }
                else if (response.StatusCode == HttpStatusCode.OK)
                {
                    Assert.Equal(blob, await response.Content.ReadAsByteArrayAsync());
                }

                answers++;
            }

            return answers;
        })).ToList();

        await Task.Delay(Rest);
        using var delete = await writer.Client.DeleteAsync($"/v2/fresh/blob/blobs/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Volatile.Write(ref deleted, 1);
        await Task.Delay(Rest);
        await stop.CancelAsync();

        Assert.All(await Task.WhenAll(pulls), count => Assert.True(count > 0, "a pull loop answered nothing"));
        await RegistryAudit.AssertBlobAbsentAsync(reader.Client, "fresh/blob", digest);
    }

    /// <summary>Pulls every watched reference in turn until stopped; returns how many answers it checked.</summary>
    private static async Task<int> PullAsync(HttpClient client, WriteHistory history, CancellationToken stop)
    {
        var checkedAnswers = 0;
        while (!stop.IsCancellationRequested)
        {
            foreach (var reference in history.References)
            {
                var floor = history.AcknowledgedIndex(reference);
                using var response = await client.GetAsync($"/v2/fresh/app/manifests/{reference}", CancellationToken.None);
                string? answer = response.StatusCode switch
                {
                    HttpStatusCode.OK => response.Header("Docker-Content-Digest"),
                    HttpStatusCode.NotFound => null,
                    var other => throw new Xunit.Sdk.XunitException($"{reference}: {(int)other}"),
                };
                history.AssertNotOlderThan(reference, floor, answer);
                checkedAnswers++;
            }
        }

        return checkedAnswers;
    }

    /// <summary>
    /// Per reference, every value it has been given (null: absent), in order, and how far the writer's
    /// acknowledgements have come. An answer may be the acknowledged value or any written since, never an earlier one.
    /// </summary>
    private sealed class WriteHistory
    {
        private readonly ConcurrentDictionary<string, List<string?>> _values = new();
        private readonly ConcurrentDictionary<string, int> _acknowledged = new();

        public WriteHistory(string[] references, string?[] initial)
        {
            References = references;
            for (var i = 0; i < references.Length; i++)
            {
                _values[references[i]] = [initial[i]];
                _acknowledged[references[i]] = 0;
            }
        }

        public IReadOnlyList<string> References { get; }

        public int AcknowledgedIndex(string reference) => _acknowledged[reference];

        /// <summary>Records the value as possible from now on, sends the write, and once acknowledged makes it the floor.</summary>
        public async Task WriteAsync(string[] references, string? value, Func<Task<HttpResponseMessage>> write)
        {
            var indexes = references.Select(r => Append(r, value)).ToList();
            using var response = await write();
            Assert.True(response.IsSuccessStatusCode, $"write of {string.Join(", ", references)}: {(int)response.StatusCode}");
            for (var i = 0; i < references.Length; i++)
            {
                _acknowledged[references[i]] = indexes[i];
            }
        }

        public void AssertNotOlderThan(string reference, int floor, string? answer)
        {
            var values = _values[reference];
            lock (values)
            {
                var allowed = values.Skip(floor).ToList();
                Assert.True(allowed.Contains(answer), $"{reference} answered {answer ?? "404"}, older than the acknowledged {values[floor] ?? "404"}");
            }
        }

        private int Append(string reference, string? value)
        {
            var values = _values[reference];
            lock (values)
            {
                values.Add(value);
                return values.Count - 1;
            }
        }
    }
}
