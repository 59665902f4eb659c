using System.Globalization;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NeonRegistry.Api;
using NeonRegistry.Configuration;
using NeonRegistry.Content;
using NeonRegistry.Health;
using NeonRegistry.Metrics;
using NeonRegistry.Storage;

namespace NeonRegistry.Web;

/// <summary>
/// How this instance is doing: its name and mode, its store's use, uploads in progress, the readiness checks
/// (/readyz's, upstream and breaker included), and in cache mode the hit ratio and bytes served against fetched.
/// </summary>
internal sealed class StatusPage(
    RegistryOptions options,
    StorageLayout layout,
    UploadStore uploads,
    HealthCheckService health,
    RegistryMetrics metrics,
    CacheMetrics? cache = null)
{
    public async Task<IResult> RenderAsync(CancellationToken cancellationToken)
    {
        var rows = new List<(string Label, string Html)>
        {
            ("Host", Html.Text(options.InstanceName)),
            ("Mode", options.Upstreams is { } upstreams
                ? $"pull-through cache of {string.Join(", ", upstreams.All.Select(u => $"<code>{Html.Text(u.RemoteUrl.ToString())}</code>"))}"
                : "primary registry"),
            ("Store", $"<code>{Html.Text(layout.Root)}</code>"),
        };
        var drive = TryDrive(layout.Root);
        rows.Add(("Store used", drive is null ? "-" : $"{Html.Bytes(drive.TotalSize - drive.AvailableFreeSpace)} of {Html.Bytes(drive.TotalSize)}"));
        rows.Add(("Store free", drive is null ? "-" : Html.Bytes(drive.AvailableFreeSpace)));
        rows.Add(("Uploads in progress", uploads.CountInProgress().ToString(CultureInfo.InvariantCulture)));
        if (cache is not null && options.Upstreams is { } cacheOptions)
        {
            var hits = cache.AnswerCount(CacheStatus.Hit) + cache.AnswerCount(CacheStatus.Stale);
            var answers = hits + cache.AnswerCount(CacheStatus.Miss);
            rows.Add(("Hit ratio", answers == 0 ? "- (nothing pulled yet)" : string.Create(CultureInfo.InvariantCulture, $"{hits * 100 / answers:0}% of {answers:0} pulls")));
            rows.Add(("Bytes sent to clients", Html.Bytes((long)(metrics.BytesServed("blob") + metrics.BytesServed("manifest")))));
            rows.Add(("Bytes fetched from the upstream", Html.Bytes((long)cache.FetchedBytes)));
            rows.Add(("Cache use", $"{Html.Bytes((long)cache.BytesStored.Value)} of {Html.Bytes(cacheOptions.Defaults.SizeLimitBytes)} (CACHE_SIZE_LIMIT), as last measured"));
        }

        var report = await health.CheckHealthAsync(check => check.Tags.Contains(HealthEndpoints.ReadinessTag), cancellationToken);
        var body = new StringBuilder("<table id=\"status\"><tbody>");
        foreach (var (label, value) in rows)
        {
            body.Append("<tr><th scope=\"row\">").Append(Html.Text(label)).Append("</th><td>").Append(value).Append("</td></tr>");
        }

        // A check of several parts (cache mode's upstreams) shows each part, as /readyz lists them.
        var checks = report.Entries.SelectMany(entry => entry.Value.Data.Values.OfType<CheckReport>().ToList() is { Count: > 0 } parts
            ? parts.Select(part => (part.Name, part.Status, part.Description))
            : [(entry.Key, entry.Value.Status.ToString().ToLowerInvariant(), entry.Value.Description ?? entry.Value.Exception?.Message)]);
        foreach (var (name, state, description) in checks)
        {
            body.Append("<tr><th scope=\"row\">Check: ").Append(Html.Text(name)).Append("</th><td><span class=\"state-").Append(state).Append("\">")
                .Append(state).Append("</span> ").Append(Html.Text(description)).Append("</td></tr>");
        }

        body.Append("</tbody></table>");
        return SmallBody.Text(Html.Page("Status", options.InstanceName, body.ToString()), Html.ContentType);
    }

    private static DriveInfo? TryDrive(string root)
    {
        try
        {
            var drive = new DriveInfo(root);
            return drive.IsReady ? drive : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
