using System.CommandLine;
using NeonRegistry.Maintenance;

namespace NeonRegistry.Commands;

/// <summary><c>garbage-collect [--dry-run] [--delete-untagged] [--grace &lt;duration&gt;]</c>.</summary>
internal sealed class GarbageCollectCommand(GarbageCollectionOptions options) : IMaintenanceCommand
{
    public const string Usage = "garbage-collect [--dry-run] [--delete-untagged] [--grace <duration>]";

    private static readonly Option<bool> DryRun = new("--dry-run") { Arity = ArgumentArity.Zero };
    private static readonly Option<bool> DeleteUntagged = new("--delete-untagged") { Arity = ArgumentArity.Zero };
    private static readonly Option<TimeSpan> Grace = DurationArgument.Option("--grace", GarbageCollectionOptions.DefaultGrace);

    public static readonly Command Definition = new("garbage-collect") { DryRun, DeleteUntagged, Grace };

    public GarbageCollectionOptions Options { get; } = options;

    /// <param name="parsed">A parse of <see cref="Definition"/> without errors.</param>
    public static GarbageCollectCommand Bind(ParseResult parsed) => new(new GarbageCollectionOptions
    {
        DryRun = parsed.GetValue(DryRun),
        DeleteUntagged = parsed.GetValue(DeleteUntagged),
        Grace = parsed.GetValue(Grace),
    });

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
