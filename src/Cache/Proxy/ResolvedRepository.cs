namespace NeonRegistry.Proxy;

/// <summary>A stored repository's upstream, and the repository at that upstream.</summary>
internal sealed record ResolvedRepository(Upstream Upstream, UpstreamRepository Repository);
