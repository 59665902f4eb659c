using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace NeonRegistry.Hosting;

/// <summary>
/// Writes log events to standard output a batch at a time, off the request path: one write for many lines.
/// A write per request line was the largest single cost of a small request under load.
/// </summary>
internal sealed class BatchedConsoleSink(ITextFormatter formatter) : IBatchedLogEventSink, IDisposable
{
    private readonly StreamWriter _output = new(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024);

    public async Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        foreach (var logEvent in batch)
        {
            formatter.Format(logEvent, _output);
        }

        await _output.FlushAsync();
    }

    public void Dispose() => _output.Dispose();
}
