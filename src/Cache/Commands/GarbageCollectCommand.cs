using NeonRegistry.Maintenance;

namespace NeonRegistry.Commands;

/// <summary><c>garbage-collect [--dry-run] [--delete-untagged] [--grace &lt;duration&gt;]</c>.</summary>
internal sealed class GarbageCollectCommand(GarbageCollectionOptions options) : IMaintenanceCommand
{
    public const string Usage = "garbage-collect [--dry-run] [--delete-untagged] [--grace <duration>]";

    public GarbageCollectionOptions Options { get; } = options;

    /// <exception cref="UsageException">A bad argument.</exception>
    public static GarbageCollectCommand Parse(IReadOnlyList<string> arguments)
    {
        var parsed = CommandArguments.Parse(arguments, flags: ["--dry-run", "--delete-untagged"], options: ["--grace"]);
        return new GarbageCollectCommand(new GarbageCollectionOptions
        {
            DryRun = parsed.Has("--dry-run"),
            DeleteUntagged = parsed.Has("--delete-untagged"),
            Grace = parsed.ValueOrNull("--grace") is { } grace ? DurationArgument.Parse("--grace", grace) : GarbageCollectionOptions.DefaultGrace,
        });
    }

    public async Task<int> RunAsync(MaintenanceTarget target, ConsoleReporter reporter, TextWriter output, CancellationToken cancellationToken)
    {
        var summary = await new GarbageCollector(target.Layout, TimeProvider.System).RunAsync(Options, reporter, cancellationToken);
        reporter.Finish();
        Write(summary, output);
        return summary.Interrupted ? ExitCodes.Interrupted : ExitCodes.Ok;
    }

    private void Write(GarbageCollectionSummary summary, TextWriter output)
    {
        var deleted = summary.DryRun ? "to delete" : "deleted";
        var seconds = $"{summary.Elapsed.TotalSeconds:0.0} s";
        output.WriteLine(
            summary.Interrupted ? $"garbage-collect interrupted after {seconds}; the store is consistent, run it again to finish"
            : summary.DryRun ? $"garbage-collect dry run finished in {seconds}; nothing was changed"
            : $"garbage-collect finished in {seconds}");
        output.WriteLine($"  manifests:  {summary.ManifestsKept} kept, {summary.ManifestsDeleted} {deleted}");
        output.WriteLine(
            $"  blobs:      {summary.BlobsKept} kept ({summary.BlobsWithinGrace} unreferenced but within the {DurationArgument.Format(Options.Grace)} grace period), " +
            $"{summary.BlobsDeleted} {deleted}, {ByteSize.Format(summary.BytesFreed)} {(summary.DryRun ? "to free" : "freed")}");
        output.WriteLine($"  links:      {summary.LinksDeleted} {deleted}");
        output.WriteLine($"  temp files: {summary.TempFilesDeleted} {deleted}");
        if (summary.ManifestsWithoutContent > 0)
        {
            output.WriteLine($"  {summary.ManifestsWithoutContent} manifest(s) have no content: they cannot be pulled until pushed (or, in a cache, fetched) again");
        }

        if (summary.Warnings > 0)
        {
            output.WriteLine($"  warnings:   {summary.Warnings}, listed above: those repositories kept more than they need");
        }
    }
}
