using Microsoft.Extensions.Diagnostics.HealthChecks;
using NeonRegistry.Storage;

namespace NeonRegistry.Health;

/// <summary>
/// Ready when the store can be listed, healthy when it also takes a write: a hidden probe file is written, read back
/// and deleted under the storage root. A store that can be read but not written (full, read-only) is only Degraded:
/// pulls still work, and every replica sharing that store would otherwise leave the load balancer at once. A shared
/// filesystem that hangs (a CephFS or NFS mount that lost its server) counts as not ready once <see cref="Timeout"/>
/// passes, instead of hanging the probe with it.
/// </summary>
internal sealed class StoreReadinessCheck(StorageLayout layout) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static readonly byte[] ProbeContent = "ready\n"u8.ToArray();

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // The directory calls have no async form; on the thread pool a hung mount costs one thread, not the answer.
            var writeFault = await Task.Run(Probe, cancellationToken).WaitAsync(Timeout, cancellationToken);
            return writeFault is null
                ? HealthCheckResult.Healthy($"store {layout.Root} is readable and writable")
                : HealthCheckResult.Degraded($"store {layout.Root} is readable but not writable, so pulls work and pushes fail: {writeFault}");
        }
        catch (TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"store {layout.Root} did not answer within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"store {layout.Root} is not readable and writable: {e.Message}");
        }
    }

    /// <returns>Null when the store took the probe's write, else why it did not.</returns>
    /// <exception cref="IOException">The store cannot be listed.</exception>
    private string? Probe()
    {
        // A fresh volume may not hold the root yet; the store's writers create it the same way.
        Directory.CreateDirectory(layout.Root);
        using (var entries = Directory.EnumerateFileSystemEntries(layout.Root).GetEnumerator())
        {
            entries.MoveNext();
        }

        var path = layout.ReadinessProbe(Guid.NewGuid());
        try
        {
            try
            {
                File.WriteAllBytes(path, ProbeContent);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return e.Message;
            }

            if (!File.ReadAllBytes(path).AsSpan().SequenceEqual(ProbeContent))
            {
                throw new IOException("a file written to it read back different bytes");
            }

            return null;
        }
        finally
        {
            TryDelete(path);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A store that refused the write refuses this too; there is nothing of the probe's to delete then.
        }
    }
}
