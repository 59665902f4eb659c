using NeonRegistry.Maintenance;
using NeonRegistry.Storage;

namespace NeonRegistry.Commands;

/// <summary><c>purge-uploads [--older-than &lt;duration&gt;]</c>.</summary>
internal sealed class PurgeUploadsCommand(TimeSpan olderThan) : IMaintenanceCommand
{
    public const string Usage = "purge-uploads [--older-than <duration>]";

    public TimeSpan OlderThan { get; } = olderThan;

    /// <exception cref="UsageException">A bad argument.</exception>
    public static PurgeUploadsCommand Parse(IReadOnlyList<string> arguments)
    {
        var parsed = CommandArguments.Parse(arguments, flags: [], options: ["--older-than"]);
        return new PurgeUploadsCommand(
            parsed.ValueOrNull("--older-than") is { } value ? DurationArgument.Parse("--older-than", value) : UploadPurger.DefaultMaximumAge);
    }

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
