using System.Globalization;
using System.Text.RegularExpressions;
using NeonRegistry.Deployment.Support;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment;

/// <summary>
/// docker/build.sh: BRANCH-DATE-COMMIT tags, -dirty, latest for production builds from main, its dry run (docker
/// pointed at no engine, so a docker command that ran would fail it), and a build and push with the run's dockerd.
/// </summary>
[Collection(ContainerEngines.Name)]
public sealed partial class BuildScriptTests(DockerEngine engine)
{
    private static readonly Dictionary<string, string?> NoEngine = new() { ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock" };

    [Fact]
    public async Task DryRun_CleanMain_TagsBranchDateCommit_AndRunsNoDocker()
    {
        using var checkout = await ScratchCheckout.CreateAsync();
        var before = Today();

        var result = await RunAsync(checkout, "--dry-run", "--push");

        Assert.True(result.ExitCode == 0, result.ToString());
        var commit = await checkout.GitAsync("rev-parse", "--short", "HEAD");
        var tag = Assert.Single(Tags(result));
        Assert.Contains(tag, new[] { before, Today() }.Select(date => $"neon-registry:main-{date}-{commit}"));
        Assert.Contains($"+ docker build --file docker/Dockerfile --label org.opencontainers.image.revision={await checkout.GitAsync("rev-parse", "HEAD")} --tag {tag} .", result.Stdout);
        Assert.Contains($"+ docker push {tag}", result.Stdout);
    }

    [Theory]
    [InlineData("untracked")]
    [InlineData("modified")]
    [InlineData("staged")]
    public async Task DryRun_UncommittedChangeOrUntrackedFile_TagsDirty(string change)
    {
        using var checkout = await ScratchCheckout.CreateAsync();
        await checkout.WriteAsync(change == "untracked" ? "new-file.txt" : "README.md", "changed\n");
        if (change == "staged")
        {
            await checkout.GitAsync("add", ".");
        }

        var result = await RunAsync(checkout, "--dry-run");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(TagPattern("main", dirty: true), Assert.Single(Tags(result)));
    }

    [Fact]
    public async Task DryRun_IgnoredFile_IsNotDirty()
    {
        using var checkout = await ScratchCheckout.CreateAsync();
        await checkout.WriteAsync(".gitignore", "bin/\n");
        await checkout.GitAsync("add", ".gitignore");
        await checkout.GitAsync("commit", "--quiet", "--message", "ignore bin");
        Directory.CreateDirectory(Path.Combine(checkout.Path, "bin"));
        await checkout.WriteAsync("bin/output.dll", "built\n");

        var result = await RunAsync(checkout, "--dry-run");

        Assert.Matches(TagPattern("main", dirty: false), Assert.Single(Tags(result)));
    }

    [Fact]
    public async Task DryRun_BranchWithSlash_TagsWithADash()
    {
        using var checkout = await ScratchCheckout.CreateAsync();
        await checkout.GitAsync("checkout", "--quiet", "-b", "feature/faster-gc");

        var result = await RunAsync(checkout, "--dry-run");

        Assert.Matches(TagPattern("feature-faster-gc", dirty: false), Assert.Single(Tags(result)));
    }

    [Fact]
    public async Task Production_CleanMain_AlsoTagsAndPushesLatest()
    {
        using var checkout = await ScratchCheckout.CreateAsync();

        var result = await RunAsync(checkout, "--dry-run", "--production", "--push", "--image", "registry.example.com/neon-registry");

        Assert.True(result.ExitCode == 0, result.ToString());
        var tags = Tags(result);
        Assert.Equal(2, tags.Count);
        Assert.Matches(TagPattern("main", dirty: false, image: "registry.example.com/neon-registry"), tags[0]);
        Assert.Equal("registry.example.com/neon-registry:latest", tags[1]);
        Assert.Contains($"--tag {tags[0]} --tag {tags[1]} .", result.Stdout);
        Assert.Contains("+ docker push registry.example.com/neon-registry:latest", result.Stdout);
    }

    [Theory]
    [InlineData("branch")]
    [InlineData("dirty")]
    public async Task Production_NotACleanMain_IsRefused(string problem)
    {
        using var checkout = await ScratchCheckout.CreateAsync();
        if (problem == "branch")
        {
            await checkout.GitAsync("checkout", "--quiet", "-b", "release-candidate");
        }
        else
        {
            await checkout.WriteAsync("stray.txt", "x\n");
        }

        var result = await RunAsync(checkout, "--production", "--push");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("a production build must come from a clean main", result.Stderr);
        Assert.DoesNotContain("latest", result.Stdout);
    }

    [SkippableFact]
    public async Task Build_WithPush_BuildsFromTheCheckoutThenPushesEveryTag()
    {
        engine.RequireRunning();
        await using var registry = await RegistryServer.StartAsync();
        using var docker = engine.Client();
        await docker.CheckedAsync("login", "--username", RegistryServer.Username, "--password", RegistryServer.Password, registry.Authority);
        using var checkout = await ScratchCheckout.CreateAsync();
        await checkout.WriteAsync("docker/Dockerfile", "FROM scratch\nCOPY README.md /\n");
        await checkout.GitAsync("commit", "--quiet", "--all", "--message", "an image of one file");
        var repository = $"{registry.Authority}/neon-registry";

        var result = await ExternalCommand.RunAsync("bash", [checkout.BuildScript, "--production", "--push", "--image", repository], docker.Environment, checkout.Path, TimeSpan.FromMinutes(3));

        Assert.True(result.ExitCode == 0, result.ToString());
        var tags = Tags(result);
        Assert.Equal([$"{repository}:latest"], tags.Skip(1));
        var revision = await checkout.GitAsync("rev-parse", "HEAD");
        foreach (var tag in tags)
        {
            Assert.Equal(revision, await docker.CheckedAsync("image", "inspect", "--format", "{{index .Config.Labels \"org.opencontainers.image.revision\"}}", tag));
            using var manifest = await registry.Client.GetAsync($"/v2/neon-registry/manifests/{tag[(tag.LastIndexOf(':') + 1)..]}");
            Assert.Equal(System.Net.HttpStatusCode.OK, manifest.StatusCode);
        }
    }

    [Fact]
    public async Task DryRun_LocalBase_PublishesOnTheHostAndBuildsOnTheBaseWithBuildKit()
    {
        using var checkout = await ScratchCheckout.CreateAsync();

        var result = await RunAsync(checkout, "--dry-run", "--local-base", "debian-base:bookworm");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.Contains("+ bash docker/publish.sh artifacts/image-app", lines);
        Assert.Contains("+ DOCKER_BUILDKIT=1", lines);
        Assert.Contains(lines, line => line.StartsWith("+ docker build ", StringComparison.Ordinal)
            && line.Contains("--network none --build-arg RUNTIME_IMAGE=debian-base:bookworm --build-arg APP_FROM=published --build-arg PUBLISHED=artifacts/image-app", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ThisCheckout_DryRun_PrintsItsTag()
    {
        var result = await ExternalCommand.BashAsync("docker/build.sh", ["--dry-run"], NoEngine);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(AnyTag(), Assert.Single(Tags(result)));
    }

    private static Task<CommandResult> RunAsync(ScratchCheckout checkout, params string[] arguments) =>
        ExternalCommand.RunAsync("bash", [checkout.BuildScript, .. arguments], NoEngine, checkout.Path);

    private static List<string> Tags(CommandResult result) =>
        result.Stdout.Split('\n').Where(line => line.StartsWith("tag: ", StringComparison.Ordinal)).Select(line => line["tag: ".Length..]).ToList();

    private static string Today() => DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string TagPattern(string branch, bool dirty, string image = "neon-registry") =>
        $"^{Regex.Escape(image)}:{Regex.Escape(branch)}-{Today()}-[0-9a-f]{{7,}}{(dirty ? "-dirty" : "")}$";

    [GeneratedRegex(@"^neon-registry:[A-Za-z0-9_.-]+-\d{8}-[0-9a-f]{7,}(-dirty)?$")]
    private static partial Regex AnyTag();
}
