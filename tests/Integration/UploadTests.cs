using System.Net;
using System.Net.Http.Headers;
using NeonRegistry.Integration.Support;
using NeonRegistry.Storage;

namespace NeonRegistry.Integration;

public sealed class UploadTests
{
    [Fact]
    public async Task PostUpload_NoDigest_Returns202WithLocationAndEmptyRange()
    {
        await using var server = await RegistryServer.StartAsync();

        using var response = await server.Client.PostAsync("/v2/app/blobs/uploads/", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.StartsWith("/v2/app/blobs/uploads/", response.Headers.Location!.OriginalString);
        Assert.Equal("0-0", response.Header("Range"));
        Assert.False(string.IsNullOrEmpty(response.Header("Docker-Upload-UUID")));
    }

    [Fact]
    public async Task PostThenPut_WholeBlob_Returns201AndServesIt()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(70_000);
        var digest = TestContent.DigestOf(content);

        var location = await StartAsync(server.Client, "app");
        using var put = await server.Client.PutAsync($"{location}&digest={digest}", RegistryApi.Octets(content));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal($"/v2/app/blobs/{digest}", put.Headers.Location!.OriginalString);
        Assert.Equal(digest, put.Header("Docker-Content-Digest"));
        Assert.Equal(content, await server.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}"));
    }

    [Fact]
    public async Task Patch_ChunksInOrder_ReportRangeAndCommitOnPut()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(3000);
        var digest = TestContent.DigestOf(content);
        var location = await StartAsync(server.Client, "app");

        for (var start = 0; start < content.Length; start += 1000)
        {
            using var patch = await PatchAsync(server.Client, location, content, start, 1000);
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            Assert.Equal($"0-{start + 999}", patch.Header("Range"));
            location = patch.Headers.Location!.OriginalString;
        }

        using var status = await server.Client.GetAsync(location);
        using var put = await server.Client.PutAsync($"{location}&digest={digest}", null);

        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-2999", status.Header("Range"));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(content, await server.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}"));
    }

    [Fact]
    public async Task Patch_StreamedWithoutContentRange_ThenPutWithLastChunk_Commits()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(5000);
        var digest = TestContent.DigestOf(content);
        var location = await StartAsync(server.Client, "app");

        using var patch = await server.Client.PatchAsync(location, RegistryApi.Octets(content, 0, 4000));
        var next = patch.Headers.Location!.OriginalString;
        var last = RegistryApi.Octets(content, 4000);
        last.Headers.TryAddWithoutValidation("Content-Range", "4000-4999");
        using var put = await server.Client.PutAsync($"{next}&digest={digest}", last);

        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(content, await server.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}"));
    }

    [Fact]
    public async Task Patch_OutOfOrderChunk_Returns416WithCurrentRange()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(2000);
        var location = await StartAsync(server.Client, "app");
        using var first = await PatchAsync(server.Client, location, content, 0, 1000);
        var next = first.Headers.Location!.OriginalString;

        using var skipped = await PatchAsync(server.Client, next, content, 1500, 500);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, skipped.StatusCode);
        Assert.Equal("0-999", skipped.Header("Range"));
        Assert.Equal("BLOB_UPLOAD_INVALID", await skipped.ErrorCodeAsync());
        using var status = await server.Client.GetAsync(next);
        Assert.Equal("0-999", status.Header("Range"));
    }

    [Fact]
    public async Task Patch_RepeatedChunkWithStaleLocation_Returns416AndKeepsData()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(2000);
        var digest = TestContent.DigestOf(content);
        var location = await StartAsync(server.Client, "app");
        using var first = await PatchAsync(server.Client, location, content, 0, 1000);

        using var repeated = await PatchAsync(server.Client, location, content, 0, 1000);
        var resume = repeated.Headers.Location!.OriginalString;
        using var second = await PatchAsync(server.Client, resume, content, 1000, 1000);
        using var put = await server.Client.PutAsync($"{second.Headers.Location!.OriginalString}&digest={digest}", null);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, repeated.StatusCode);
        Assert.Equal("0-999", repeated.Header("Range"));
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task Patch_NextChunkSentToTheFirstLocation_IsAcceptedByItsContentRange()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(3000);
        var digest = TestContent.DigestOf(content);
        var location = await StartAsync(server.Client, "app");

        // Every chunk, and the closing PUT with the last one, go to the Location of the POST.
        using var first = await PatchAsync(server.Client, location, content, 0, 1000);
        using var second = await PatchAsync(server.Client, location, content, 1000, 1000);
        var last = RegistryApi.Octets(content, 2000, 1000);
        last.Headers.TryAddWithoutValidation("Content-Range", "2000-2999");
        using var put = await server.Client.PutAsync($"{location}&digest={digest}", last);

        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal("0-1999", second.Header("Range"));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(content, await server.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}"));
    }

    [Fact]
    public async Task Patch_StreamedChunkSentToAStaleLocation_Returns416AndAppendsNothing()
    {
        await using var server = await RegistryServer.StartAsync();
        var location = await StartAsync(server.Client, "app");
        using var first = await server.Client.PatchAsync(location, RegistryApi.Octets(TestContent.RandomBytes(100)));

        // No Content-Range: only the URL says where the chunk goes, and it says byte 0.
        using var retried = await server.Client.PatchAsync(location, RegistryApi.Octets(TestContent.RandomBytes(100)));
        using var status = await server.Client.GetAsync(first.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, retried.StatusCode);
        Assert.Equal("0-99", status.Header("Range"));
    }

    [Fact]
    public async Task Patch_WhenAnotherChunkLandsWhileItWaitsForTheUpload_Returns416WithWhereToResume()
    {
        await using var server = await RegistryServer.StartAsync();
        var location = await StartAsync(server.Client, "app");
        var id = new Uri(server.BaseAddress, location).AbsolutePath.Split('/')[^1];
        var data = new StorageLayout(server.StoragePath).UploadData(id);
        var winner = new FileStream(data, FileMode.Open, FileAccess.ReadWrite);
        Assert.True(FileLock.TryLockExclusive(winner.SafeFileHandle));

        // Passes the position check at byte 0, then waits for the lock the winner holds while its chunk lands.
        var loser = PatchAsync(server.Client, location, TestContent.RandomBytes(1000), 0, 1000);
        for (var tries = 0; OpenHandlesTo(data) < 2; tries++)
        {
            Assert.True(tries < 200, "the chunk never opened the upload");
            await Task.Delay(50);
        }

        winner.Write(TestContent.RandomBytes(500));
        await winner.DisposeAsync();
        using var refused = await loser;

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, refused.StatusCode);
        Assert.Equal("0-499", refused.Header("Range"));
        Assert.Contains("_state=", refused.Headers.Location!.OriginalString);
        Assert.Equal(500, new FileInfo(data).Length);
    }

    [Fact]
    public async Task Patch_MalformedContentRange_Returns416()
    {
        await using var server = await RegistryServer.StartAsync();
        var location = await StartAsync(server.Client, "app");
        var body = RegistryApi.Octets(TestContent.RandomBytes(10));
        body.Headers.TryAddWithoutValidation("Content-Range", "garbage");

        using var response = await server.Client.PatchAsync(location, body);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("0-0", response.Header("Range"));
    }

    [Fact]
    public async Task Put_DigestMismatch_Returns400DigestInvalidAndLeavesNothing()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(1000);
        var claimed = TestContent.DigestOf(TestContent.RandomBytes(1000));
        var location = await StartAsync(server.Client, "app");

        using var put = await server.Client.PutAsync($"{location}&digest={claimed}", RegistryApi.Octets(content));
        using var blob = await server.Client.GetAsync($"/v2/app/blobs/{claimed}");
        using var status = await server.Client.GetAsync(location);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("DIGEST_INVALID", await put.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.NotFound, blob.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await status.ErrorCodeAsync());
        var blobs = Path.Combine(server.StoragePath, "blobs");
        Assert.False(Directory.Exists(blobs) && Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Any());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(server.StoragePath, "uploads")));
    }

    [Fact]
    public async Task Put_MissingOrMalformedDigest_Returns400DigestInvalid()
    {
        await using var server = await RegistryServer.StartAsync();
        var location = await StartAsync(server.Client, "app");

        using var missing = await server.Client.PutAsync(location, RegistryApi.Octets([1, 2, 3]));
        var again = await StartAsync(server.Client, "app");
        using var malformed = await server.Client.PutAsync($"{again}&digest=sha256:nothex", RegistryApi.Octets([1, 2, 3]));

        Assert.Equal("DIGEST_INVALID", await missing.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("DIGEST_INVALID", await malformed.ErrorCodeAsync());
    }

    [Fact]
    public async Task PostWithDigest_SingleRequest_Returns201()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(2048);
        var digest = TestContent.DigestOf(content);

        using var response = await server.Client.PostAsync($"/v2/app/blobs/uploads/?digest={digest}", RegistryApi.Octets(content));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/v2/app/blobs/{digest}", response.Headers.Location!.OriginalString);
        Assert.Equal(content, await server.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}"));
    }

    [Fact]
    public async Task PostWithDigest_Sha512_IsVerifiedAndServed()
    {
        await using var server = await RegistryServer.StartAsync();
        var content = TestContent.RandomBytes(3000);
        var digest = "sha512:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(content));

        using var response = await server.Client.PostAsync($"/v2/app/blobs/uploads/?digest={digest}", RegistryApi.Octets(content));
        using var wrong = await server.Client.PostAsync($"/v2/app/blobs/uploads/?digest={digest}", RegistryApi.Octets(TestContent.RandomBytes(3000)));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(content, await server.Client.GetByteArrayAsync($"/v2/app/blobs/{digest}"));
        Assert.Equal("DIGEST_INVALID", await wrong.ErrorCodeAsync());
    }

    [Fact]
    public async Task Mount_FromRepositoryHoldingBlob_Returns201AndLinksIt()
    {
        await using var server = await RegistryServer.StartAsync();
        var digest = await server.Client.PushBlobAsync("source", TestContent.RandomBytes(500));

        using var mount = await server.Client.PostAsync($"/v2/target/blobs/uploads/?mount={digest}&from=source", null);

        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal($"/v2/target/blobs/{digest}", mount.Headers.Location!.OriginalString);
        Assert.Equal(digest, mount.Header("Docker-Content-Digest"));
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/target/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Theory]
    [InlineData("elsewhere")]
    [InlineData("Bad..Name")]
    public async Task Mount_BlobNotInSource_FallsBackTo202Upload(string from)
    {
        await using var server = await RegistryServer.StartAsync();
        var digest = await server.Client.PushBlobAsync("source", TestContent.RandomBytes(500));

        using var mount = await server.Client.PostAsync($"/v2/target/blobs/uploads/?mount={digest}&from={from}", null);
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/target/blobs/{digest}"));

        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.StartsWith("/v2/target/blobs/uploads/", mount.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Delete_Upload_Returns204ThenUnknown()
    {
        await using var server = await RegistryServer.StartAsync();
        var location = await StartAsync(server.Client, "app");
        using var patch = await PatchAsync(server.Client, location, TestContent.RandomBytes(100), 0, 100);
        var next = patch.Headers.Location!.OriginalString;

        using var cancel = await server.Client.DeleteAsync(next);
        using var status = await server.Client.GetAsync(next);
        using var cancelAgain = await server.Client.DeleteAsync(next);

        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await status.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.NotFound, cancelAgain.StatusCode);
    }

    [Fact]
    public async Task Patch_TamperedState_Returns400AndWritesNothing()
    {
        await using var server = await RegistryServer.StartAsync();
        var location = await StartAsync(server.Client, "app");
        var state = location[(location.IndexOf("_state=", StringComparison.Ordinal) + 7)..];
        var payload = System.Buffers.Text.Base64Url.DecodeFromChars(state.AsSpan(0, state.IndexOf('.')));
        var forged = System.Text.Encoding.UTF8.GetString(payload).Replace("\"o\":0", "\"o\":5");
        var tampered = location.Replace(state, System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(forged)) + state[state.IndexOf('.')..]);

        using var response = await server.Client.PatchAsync(tampered, RegistryApi.Octets(TestContent.RandomBytes(10)));
        using var status = await server.Client.GetAsync(location);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BLOB_UPLOAD_INVALID", await response.ErrorCodeAsync());
        Assert.Equal("0-0", status.Header("Range"));
    }

    [Fact]
    public async Task UploadUrl_OfNoUpload_Returns404WhateverItsState()
    {
        await using var server = await RegistryServer.StartAsync();
        var location = await StartAsync(server.Client, "app");
        var unknown = $"/v2/app/blobs/uploads/{Guid.NewGuid():N}";

        using var status = await server.Client.GetAsync(unknown);
        using var cancel = await server.Client.DeleteAsync(unknown);
        using var patch = await server.Client.PatchAsync($"{unknown}{location[location.IndexOf('?')..]}", RegistryApi.Octets([1]));
        using var malformed = await server.Client.GetAsync("/v2/app/blobs/uploads/not-an-upload-id");

        foreach (var response in new[] { status, cancel, patch, malformed })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("BLOB_UPLOAD_UNKNOWN", await response.ErrorCodeAsync());
        }
    }

    [Fact]
    public async Task Patch_StateOfAnotherRepository_Returns400()
    {
        await using var server = await RegistryServer.StartAsync();
        var location = await StartAsync(server.Client, "app");

        using var response = await server.Client.PatchAsync(location.Replace("/v2/app/", "/v2/other/"), RegistryApi.Octets([1]));
        using var missing = await server.Client.PatchAsync(location[..location.IndexOf('?')], RegistryApi.Octets([1]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BLOB_UPLOAD_INVALID", await response.ErrorCodeAsync());
        Assert.Equal("BLOB_UPLOAD_INVALID", await missing.ErrorCodeAsync());
    }

    /// <summary>Handles this process (test and in-process server alike) has open on <paramref name="path"/>.</summary>
    private static int OpenHandlesTo(string path) =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget == path;
            }
            catch (IOException)
            {
                return false;
            }
        });

    private static async Task<string> StartAsync(HttpClient client, string repository)
    {
        using var response = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    private static Task<HttpResponseMessage> PatchAsync(HttpClient client, string location, byte[] content, int start, int count)
    {
        var body = RegistryApi.Octets(content, start, count);
        body.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + count - 1}");
        return client.PatchAsync(location, body);
    }
}
