using System.Globalization;
using System.Text.RegularExpressions;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>docker/build.sh: BRANCH-DATE-COMMIT tags, -dirty, latest for production builds from main, and its dry run.</summary>
public sealed partial class BuildScriptTests
{
    [Fact]
    public async Task DryRun_CleanMain_TagsBranchDateCommit_AndRunsNoDocker()
    {
        using var checkout = await ScratchCheckout.CreateAsync();
        using var docker = new FakeDocker();
        var before = Today();

        var result = await RunAsync(checkout, docker, "--dry-run", "--push");

        Assert.True(result.ExitCode == 0, result.ToString());
        var commit = await checkout.GitAsync("rev-parse", "--short", "HEAD");
        var tag = Assert.Single(Tags(result));
        Assert.Contains(tag, new[] { before, Today() }.Select(date => $"neon-registry:main-{date}-{commit}"));
        Assert.Contains($"+ docker build --file docker/Dockerfile --label org.opencontainers.image.revision={await checkout.GitAsync("rev-parse", "HEAD")} --tag {tag} .", result.Stdout);
        Assert.Contains($"+ docker push {tag}", result.Stdout);
        Assert.Empty(docker.Calls);
    }

    [Theory]
    [InlineData("untracked")]
    [InlineData("modified")]
    [InlineData("staged")]
    public async Task DryRun_UncommittedChangeOrUntrackedFile_TagsDirty(string change)
    {
        using var checkout = await ScratchCheckout.CreateAsync();
        using var docker = new FakeDocker();
        await checkout.WriteAsync(change == "untracked" ? "new-file.txt" : "README.md", "changed\n");
        if (change == "staged")
        {
            await checkout.GitAsync("add", ".");
        }

        var result = await RunAsync(checkout, docker, "--dry-run");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(TagPattern("main", dirty: true), Assert.Single(Tags(result)));
    }

    [Fact]
    public async Task DryRun_IgnoredFile_IsNotDirty()
    {
        using var checkout = await ScratchCheckout.CreateAsync();
        using var docker = new FakeDocker();
        await checkout.WriteAsync(".gitignore", "bin/\n");
        await checkout.GitAsync("add", ".gitignore");
        await checkout.GitAsync("commit", "--quiet", "--message", "ignore bin");
        Directory.CreateDirectory(Path.Combine(checkout.Path, "bin"));
        await checkout.WriteAsync("bin/output.dll", "built\n");

        var result = await RunAsync(checkout, docker, "--dry-run");

        Assert.Matches(TagPattern("main", dirty: false), Assert.Single(Tags(result)));
    }

    [Fact]
    public async Task DryRun_BranchWithSlash_TagsWithADash()
    {
        using var checkout = await ScratchCheckout.CreateAsync();
        using var docker = new FakeDocker();
        await checkout.GitAsync("checkout", "--quiet", "-b", "feature/faster-gc");

        var result = await RunAsync(checkout, docker, "--dry-run");

        Assert.Matches(TagPattern("feature-faster-gc", dirty: false), Assert.Single(Tags(result)));
    }

    [Fact]
    public async Task Production_CleanMain_AlsoTagsAndPushesLatest()
    {
        using var checkout = await ScratchCheckout.CreateAsync();
        using var docker = new FakeDocker();

        var result = await RunAsync(checkout, docker, "--dry-run", "--production", "--push", "--image", "registry.example.com/neon-registry");

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
        using var docker = new FakeDocker();
        if (problem == "branch")
        {
            await checkout.GitAsync("checkout", "--quiet", "-b", "release-candidate");
        }
        else
        {
            await checkout.WriteAsync("stray.txt", "x\n");
        }

        var result = await RunAsync(checkout, docker, "--production", "--push");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("a production build must come from a clean main", result.Stderr);
        Assert.DoesNotContain("latest", result.Stdout);
        Assert.Empty(docker.Calls);
    }

    [Fact]
    public async Task Build_WithPush_BuildsFromTheCheckoutThenPushesEveryTag()
    {
        using var checkout = await ScratchCheckout.CreateAsync();
        using var docker = new FakeDocker();

        var result = await RunAsync(checkout, docker, "--production", "--push");

        Assert.True(result.ExitCode == 0, result.ToString());
        var tags = Tags(result);
        Assert.Collection(
            docker.Calls,
            call => Assert.StartsWith($"build --file docker/Dockerfile --label org.opencontainers.image.revision=", call),
            call => Assert.Equal($"push {tags[0]}", call),
            call => Assert.Equal("push neon-registry:latest", call));
        Assert.EndsWith($"--tag {tags[0]} --tag {tags[1]} .", docker.Calls[0]);
    }

    [Fact]
    public async Task ThisCheckout_DryRun_PrintsItsTag()
    {
        using var docker = new FakeDocker();

        var result = await ExternalCommand.BashAsync("docker/build.sh", ["--dry-run"], docker.Environment);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(AnyTag(), Assert.Single(Tags(result)));
        Assert.Empty(docker.Calls);
    }

    private static Task<CommandResult> RunAsync(ScratchCheckout checkout, FakeDocker docker, params string[] arguments) =>
        ExternalCommand.RunAsync("bash", [checkout.BuildScript, .. arguments], docker.Environment, checkout.Path);

    private static List<string> Tags(CommandResult result) =>
        result.Stdout.Split('\n').Where(line => line.StartsWith("tag: ", StringComparison.Ordinal)).Select(line => line["tag: ".Length..]).ToList();

    private static string Today() => DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string TagPattern(string branch, bool dirty, string image = "neon-registry") =>
        $"^{Regex.Escape(image)}:{Regex.Escape(branch)}-{Today()}-[0-9a-f]{{7,}}{(dirty ? "-dirty" : "")}$";

    [GeneratedRegex(@"^neon-registry:[A-Za-z0-9_.-]+-\d{8}-[0-9a-f]{7,}(-dirty)?$")]
    private static partial Regex AnyTag();
}
