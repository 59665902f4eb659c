namespace NeonRegistry.Web;

/// <summary>What the repositories page shows of one repository.</summary>
/// <param name="Size">Bytes of the distinct blobs its tags name: shared layers count once.</param>
internal sealed record RepositorySummary(string Name, int TagCount, long Size, DateTimeOffset? Updated);
