using Microsoft.Extensions.Diagnostics.HealthChecks;
using NeonRegistry.Storage;

namespace NeonRegistry.Health;

/// <summary>
/// Ready when the store can be listed and takes a write: a hidden probe file is written, read back and deleted
/// under the storage root. A shared filesystem that hangs (a CephFS or NFS mount that lost its server) counts as
/// not ready once <see cref="Timeout"/> passes, instead of hanging the probe with it.
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
            await Task.Run(Probe, cancellationToken).WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy($"store {layout.Root} is readable and writable");
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

    private void Probe()
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
            File.WriteAllBytes(path, ProbeContent);
            if (!File.ReadAllBytes(path).AsSpan().SequenceEqual(ProbeContent))
            {
                throw new IOException("a file written to it read back different bytes");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
