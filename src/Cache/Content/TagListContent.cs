namespace NeonRegistry.Content;

/// <summary>A repository's tags in ordinal order, and where the list came from.</summary>
internal sealed record TagListContent(IReadOnlyList<string> Tags, CacheStatus Status);
