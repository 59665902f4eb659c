using System.Net;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>UPSTREAMS_FILE: checked at start-up with one line per error, and read again when it changes.</summary>
public sealed class UpstreamsFileTests
{
    [Fact]
    public async Task Start_BadUpstreamsFile_ExitsWithOneLinePerErrorNamingItsLine()
    {
        var directory = TempDirectory.Create("upstreams");
        try
        {
            var file = Path.Combine(directory, "upstreams.toml");
            await File.WriteAllTextAsync(file, """
                [[upstream]]
                name = "Docker.io"
                url = "ftp://registry.example"
                colour = "red"

                [[upstream]]
                name = "ghcr.io"
                url = "https://ghcr.io"
                user = "bot"

                [[upstream]]
                name = "quay.io"
                url = "https://quay.io"
                user = "bot"
                password_file = "/nonexistent/quay.password"
                """);

            var (exitCode, _, stderr) = await RegistryCommand.RunAsync(Settings(file));

            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(1, exitCode);
            Assert.Contains($"neon-registry: UPSTREAMS_FILE {file} line 2: name 'Docker.io' is not a registry host in lower case, such as docker.io, ghcr.io or registry.example.com:5000", lines);
            Assert.Contains($"neon-registry: UPSTREAMS_FILE {file} line 3: url 'ftp://registry.example' is not the absolute http(s) URL of a registry's root, e.g. https://registry-1.docker.io", lines);
            Assert.Contains($"neon-registry: UPSTREAMS_FILE {file} line 4: 'colour' is not a key of an upstream (name, url, user, password_file)", lines);
            Assert.Contains($"neon-registry: UPSTREAMS_FILE {file} line 6: upstream 'ghcr.io' needs user and password_file together, or neither for anonymous pulls", lines);
            Assert.Contains(lines, line => line.StartsWith($"neon-registry: UPSTREAMS_FILE {file} line 15: password_file '/nonexistent/quay.password' cannot be read", StringComparison.Ordinal));
            Assert.Equal(5, lines.Length);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    [Theory]
    [InlineData("", "names no upstream: add an [[upstream]] table with name and url")]
    [InlineData("name = \"ghcr.io\"\n", "line 1: 'name' is outside any [[upstream]] table")]
    [InlineData("[[upstream]]\nname = \"ghcr.io\"\n", "line 1: an [[upstream]] needs both name")]
    [InlineData("[[upstream]]\nname = \"127.0.0.1:9\"\nurl = \"http://127.0.0.1:9\"\n", "line 1: name '127.0.0.1:9' is given to another upstream already")]
    [InlineData("[[upstream]\n", "line 1: ")]
    [InlineData("[[upstream]]\nname = \"ghcr.io\"\nurl = \"https://bot:secret@ghcr.io\"\n", "line 3: url must not carry a login (user:password@host): give it as user and password_file")]
    public async Task Start_UpstreamsFileMistake_ExitsWithOneLineSayingIt(string text, string expected)
    {
        var directory = TempDirectory.Create("upstreams");
        try
        {
            var file = Path.Combine(directory, "upstreams.toml");
            await File.WriteAllTextAsync(file, text);
            // With REMOTE_URL too, whose upstream is named 127.0.0.1:9.
            var settings = new Dictionary<string, string?>(Settings(file)) { ["REMOTE_URL"] = "http://127.0.0.1:9" };

            var (exitCode, _, stderr) = await RegistryCommand.RunAsync(settings);

            Assert.Equal(1, exitCode);
            Assert.Contains($"UPSTREAMS_FILE {file} {expected}", stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0]);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    [Fact]
    public async Task Start_UpstreamsFileMissing_ExitsNamingIt()
    {
        var (exitCode, _, stderr) = await RegistryCommand.RunAsync(Settings("/nonexistent/upstreams.toml"));

        Assert.Equal(1, exitCode);
        Assert.Contains("UPSTREAMS_FILE '/nonexistent/upstreams.toml' does not exist", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task Start_PasswordWithoutRemoteUrl_ExitsSayingTheFilesUpstreamsUsePasswordFile()
    {
        var directory = TempDirectory.Create("upstreams");
        try
        {
            var file = Path.Combine(directory, "upstreams.toml");
            await File.WriteAllTextAsync(file, "[[upstream]]\nname = \"ghcr.io\"\nurl = \"https://ghcr.io\"\n");
            var settings = new Dictionary<string, string?>(Settings(file)) { ["USER"] = "bot", ["PASSWORD"] = "secret" };

            var (exitCode, _, stderr) = await RegistryCommand.RunAsync(settings);

            Assert.Equal(1, exitCode);
            Assert.Contains("PASSWORD is set without REMOTE_URL: the upstreams of UPSTREAMS_FILE read theirs from password_file", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    [Fact]
    public async Task ChangedFile_IsReadAgain_AndABadEditKeepsTheLastGoodUpstreams()
    {
        await using var setup = await MultiUpstreamSetup.StartAsync();
        var image = await setup.Reference.Client.PushImageAsync("team/app", "v1");
        setup.WriteFile(setup.PrimaryEntry);
        var cache = await setup.StartCacheAsync();
        var path = $"/v2/team/app/manifests/{image.Digest}?ns={MultiUpstreamSetup.ReferenceName}";
        using var before = await cache.Client.GetAsync(path);

        setup.WriteFile(setup.PrimaryEntry + setup.ReferenceEntry);
        var added = await UntilAsync(cache, path, HttpStatusCode.OK);
        setup.WriteFile(setup.PrimaryEntry + setup.ReferenceEntry.Replace("url = \"http", "url = \"ftp", StringComparison.Ordinal));
        await UntilAsync(cache, () => FileReadsAsync(cache, "refused"), 1);
        using var afterBadEdit = await cache.Client.GetAsync(path);
        setup.WriteFile(setup.PrimaryEntry);
        var removed = await UntilAsync(cache, path, HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, added);
        Assert.Equal(HttpStatusCode.OK, afterBadEdit.StatusCode);
        Assert.Equal(image.Manifest, await afterBadEdit.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, removed);
        Assert.Equal(2, await FileReadsAsync(cache, "applied"));
    }

    private static Dictionary<string, string?> Settings(string file) => new()
    {
        ["UPSTREAMS_FILE"] = file,
        ["STORAGE_PATH"] = Path.Combine(Path.GetTempPath(), "neon-registry-tests", "upstreams-file-never-created"),
        ["PORT"] = "0",
    };

    private static async Task<double> FileReadsAsync(RegistryServer cache, string result) =>
        new PrometheusText(await cache.Client.GetStringAsync("/metrics")).Value("neon_registry_cache_upstreams_file_reads_total", ("result", result)) ?? 0;

    /// <summary>The status the path answers once the cache has seen the edit (it looks at most once a second), or the last one after 20 s.</summary>
    private static async Task<HttpStatusCode> UntilAsync(RegistryServer cache, string path, HttpStatusCode expected)
    {
        var status = default(HttpStatusCode);
        await UntilAsync(cache, async () =>
        {
            using var response = await cache.Client.GetAsync(path);
            status = response.StatusCode;
            return status == expected ? 1 : 0;
        }, 1);
        return status;
    }

    private static async Task UntilAsync(RegistryServer cache, Func<Task<double>> probe, double expected)
    {
        for (var tries = 0; tries < 200 && await probe() != expected; tries++)
        {
            await Task.Delay(100);
        }
    }
}
