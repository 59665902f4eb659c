using System.Diagnostics;
using System.Globalization;
using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// The file operations of a plain blob download, traced by strace: on CephFS each one that names the blob's path is
/// a round trip to the file system's client, so a download names it twice (the store's stat, the open) and a HEAD
/// once, where the framework's file result added an lstat and a readlink of its own.
/// </summary>
public sealed class BlobDownloadFileOperationsTests
{
    [SkippableFact]
    public async Task PlainGetAndHead_NameTheBlobFileOnlyForTheStatAndTheOpen()
    {
        Skip.IfNot(CanTrace(), "strace cannot trace here (not installed, or ptrace is not permitted)");
        var blob = TestContent.RandomBytes(3 * 1024 * 1024 + 17);
        var digest = TestContent.DigestOf(blob);
        var store = TempDirectory.Create("store");
        await using (var pusher = await RegistryProcess.StartAsync(storagePath: store))
        {
            await pusher.Client.PushBlobAsync("app", blob);
        }

        var hex = digest["sha256:".Length..];
        var data = Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories)
            .Single(path => path.Contains(hex, StringComparison.Ordinal) && new FileInfo(path).Length == blob.Length);
        await using var registry = await RegistryProcess.StartAsync(storagePath: store);
        var trace = Path.Combine(TempDirectory.Create("trace"), "calls");
        using var strace = Process.Start(new ProcessStartInfo("strace", ["-f", "-qq", "-e", "trace=%file", "-o", trace, "-p", registry.Id.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardError = true })!;
        // Attached once a lookup of a blob that is not there shows in the trace.
        var absent = TestContent.DigestOf(TestContent.RandomBytes(8));
        while (!File.Exists(trace) || !File.ReadAllText(trace).Contains(absent["sha256:".Length..], StringComparison.Ordinal))
        {
            Assert.False(strace.HasExited, "strace ended before it traced anything");
            (await registry.Client.GetAsync($"/v2/app/blobs/{absent}")).Dispose();
        }

        using (var head = await registry.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{digest}")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(blob.Length, head.Content.Headers.ContentLength);
            Assert.Equal("bytes", Assert.Single(head.Headers.AcceptRanges));
            Assert.Equal($"\"{digest}\"", head.Headers.ETag?.ToString());
        }

        using (var get = await registry.Client.GetAsync($"/v2/app/blobs/{digest}"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal($"\"{digest}\"", get.Headers.ETag?.ToString());
            Assert.Equal(blob, await get.Content.ReadAsByteArrayAsync());
        }

        // SIGINT: strace detaches from the registry, writes out what it holds and ends.
        Assert.Equal(0, Interrupt(strace.Id));
        await strace.WaitForExitAsync();
        var calls = CallsNaming(trace, data);

        // HEAD: the store's stat; GET: the store's stat and one open.
        Assert.Equal(3, calls.Count);
        Assert.Single(calls, call => call.StartsWith("open", StringComparison.Ordinal));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    private static int Interrupt(int pid) => Kill(pid, 2);

    /// <summary>The system calls in the trace that name <paramref name="path"/>, by name (strace writes one per line, after the pid).</summary>
    private static List<string> CallsNaming(string trace, string path) =>
        File.Exists(trace)
            ? File.ReadAllLines(trace).Where(line => line.Contains($"\"{path}\"", StringComparison.Ordinal))
                .Select(line => line[(line.IndexOf(' ') + 1)..].TrimStart())
                .Select(call => call[..call.IndexOf('(')])
                .ToList()
            : [];

    private static bool CanTrace()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("strace", ["-f", "-qq", "-o", "/dev/null", "true"]) { RedirectStandardError = true });
            probe!.WaitForExit();
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
