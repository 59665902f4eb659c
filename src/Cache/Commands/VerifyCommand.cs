using System.CommandLine;
using NeonRegistry.Maintenance;
using NeonRegistry.Storage;

namespace NeonRegistry.Commands;

/// <summary><c>verify [--repair]</c>: exits 0 when the store is clean, 1 when it is not.</summary>
internal sealed class VerifyCommand(VerificationOptions options) : IMaintenanceCommand
{
    public const string Usage = "verify [--repair]";

    private static readonly Option<bool> Repair = new("--repair") { Arity = ArgumentArity.Zero };

    public static readonly Command Definition = new("verify") { Repair };

    public VerificationOptions Options { get; } = options;

    /// <param name="parsed">A parse of <see cref="Definition"/> without errors.</param>
    public static VerifyCommand Bind(ParseResult parsed) => new(new VerificationOptions { Repair = parsed.GetValue(Repair) });

    public async Task<int> RunAsync(MaintenanceTarget target, ConsoleReporter reporter, TextWriter output, CancellationToken cancellationToken)
    {
        var layout = target.Layout;
        var options = Options with { CacheStore = target.IsCacheStore };
        var summary = await new StoreVerifier(layout, TimeProvider.System).RunAsync(options, reporter, cancellationToken);
        reporter.Finish();
        var seconds = $"{summary.Elapsed.TotalSeconds:0.0} s";
        output.WriteLine(
            summary.Interrupted ? $"verify interrupted after {seconds}; what it had not reached is unchecked"
            : summary.IsClean ? $"verify finished in {seconds}: the store is clean"
            : $"verify finished in {seconds}: {summary.Problems.Count} problem(s), listed above");
        output.WriteLine($"  blobs:     {summary.BlobsChecked} checked ({ByteSize.Format(summary.BytesChecked)}), {summary.BlobsCorrupt} corrupt, " +
            $"{summary.BlobsQuarantined} moved to {Path.GetRelativePath(layout.Root, layout.QuarantineRoot)}/");
        output.WriteLine($"  manifests: {summary.ManifestsChecked} checked");
        output.WriteLine($"  tags:      {summary.TagsChecked} checked");
        if (summary.BlobsCorrupt > summary.BlobsQuarantined)
        {
            output.WriteLine("  run 'verify --repair' to move the corrupt blobs aside, then push what needs them again");
        }

        return summary.Interrupted ? ExitCodes.Interrupted : summary.IsClean ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
