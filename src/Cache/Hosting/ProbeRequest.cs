using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.RegularExpressions;

namespace NeonRegistry.Hosting;

/// <summary>
/// Looks at the first bytes of a connection, without consuming them, for a whole request head asking for
/// <c>/healthz</c> or <c>/readyz</c>: what a probe sends the moment it connects. An idle connection sends nothing,
/// so it cannot pass for one.
/// </summary>
internal static partial class ProbeRequest
{
    private const int MaxHeadBytes = 8 * 1024;

    /// <returns>True when a probe's request head arrived within <paramref name="deadline"/>; the bytes stay unread for the server.</returns>
    public static async Task<bool> ArrivesAsync(PipeReader input, TimeSpan deadline, CancellationToken connectionClosed)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed);
        timeout.CancelAfter(deadline);
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(timeout.Token);
                var verdict = Classify(read.Buffer);
                if (verdict is not null || read.IsCompleted || read.IsCanceled)
                {
                    // Nothing consumed and nothing examined: the server's next read sees the request from its first byte.
                    input.AdvanceTo(read.Buffer.Start);
                    return verdict == true;
                }

                input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <returns>True for a whole probe request head, false for anything else, null while the head is incomplete.</returns>
    private static bool? Classify(ReadOnlySequence<byte> buffer)
    {
        var head = Encoding.Latin1.GetString(buffer.Slice(0, Math.Min(buffer.Length, MaxHeadBytes)));
        if (!head.Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            return buffer.Length >= MaxHeadBytes ? false : null;
        }

        return ProbeLine().IsMatch(head);
    }

    [GeneratedRegex(@"\A(?:GET|HEAD) /(?:healthz|readyz)(?:\?[^ ]*)? HTTP/1\.[01]\r\n", RegexOptions.CultureInvariant)]
    private static partial Regex ProbeLine();
}
