using System.CommandLine;
using NeonRegistry.Maintenance;
using NeonRegistry.Storage;

namespace NeonRegistry.Commands;

/// <summary><c>purge-uploads [--older-than &lt;duration&gt;]</c>.</summary>
internal sealed class PurgeUploadsCommand(TimeSpan olderThan) : IMaintenanceCommand
{
    public const string Usage = "purge-uploads [--older-than <duration>]";

    private static readonly Option<TimeSpan> OlderThanOption = DurationArgument.Option("--older-than", UploadPurger.DefaultMaximumAge);

    public static readonly Command Definition = new("purge-uploads") { OlderThanOption };

    public TimeSpan OlderThan { get; } = olderThan;

    /// <param name="parsed">A parse of <see cref="Definition"/> without errors.</param>
    public static PurgeUploadsCommand Bind(ParseResult parsed) => new(parsed.GetValue(OlderThanOption));

    public Task<int> RunAsync(MaintenanceTarget target, ConsoleReporter reporter, TextWriter output, CancellationToken cancellationToken)
    {
        var layout = target.Layout;
        var purger = new UploadPurger(layout, new UploadStore(layout, new BlobStore(layout, TimeProvider.System)), TimeProvider.System);
        var summary = purger.Run(OlderThan, reporter, cancellationToken);
        reporter.Finish();
        var seconds = $"{summary.Elapsed.TotalSeconds:0.0} s";
        output.WriteLine(summary.Interrupted ? $"purge-uploads interrupted after {seconds}" : $"purge-uploads finished in {seconds}");
        output.WriteLine($"  uploads: {summary.UploadsPurged} deleted ({ByteSize.Format(summary.BytesFreed)} freed), " +
            $"{summary.UploadsKept} kept (written to within {DurationArgument.Format(OlderThan)})");
        if (summary.Failures > 0)
        {
            output.WriteLine($"  failures: {summary.Failures}, listed above");
        }

        var status = summary.Interrupted ? ExitCodes.Interrupted : summary.Failures > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        return Task.FromResult(status);
    }
}
