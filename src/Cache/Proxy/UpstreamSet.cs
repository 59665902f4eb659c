using NeonRegistry.Oci;

namespace NeonRegistry.Proxy;

/// <summary>
/// One version of a cache's upstreams, and the two maps between names that follow from it.
/// <para>
/// The store's name for a repository alone says which upstream it is from (<see cref="Resolve"/>): the default
/// upstream's repositories keep the names clients give (<c>library/alpine</c>, as a cache of one REMOTE_URL has
/// always stored them), every other upstream's are stored under its name (<c>ghcr.io/owner/app</c>). The default
/// is REMOTE_URL's upstream, else the one named docker.io, else none.
/// </para>
/// <para>
/// A request names its upstream by containerd's <c>?ns=</c>, or by a first path component equal to an upstream's
/// name (a port's ':' written '_', since no path component holds a ':'), or by neither, which means the default
/// upstream, or the only one when there is one (<see cref="StoredNameOrNull"/>). A stored name asked for as it is
/// names itself again, so whatever forwards a stored name between cache nodes reaches the same upstream.
/// </para>
/// </summary>
internal sealed class UpstreamSet
{
    private readonly Dictionary<string, Upstream> _byComponent = new(StringComparer.Ordinal);

    public UpstreamSet(IReadOnlyList<Upstream> upstreams, Upstream? remote)
    {
        All = upstreams;
        Default = remote ?? upstreams.FirstOrDefault(u => u.Options.Name == "docker.io");
        foreach (var upstream in upstreams)
        {
            _byComponent[ComponentOf(upstream)] = upstream;
        }
    }

    public IReadOnlyList<Upstream> All { get; }

    /// <summary>The upstream whose repositories are stored under the names clients give, or null.</summary>
    public Upstream? Default { get; }

    /// <summary>The upstreams' names, for messages: "docker.io, ghcr.io".</summary>
    public string NameList => string.Join(", ", All.Select(u => u.Options.Name));

    /// <summary>Whether an upstream goes by <paramref name="ns"/> (its name, or its URL's host).</summary>
    public bool Serves(string ns) => All.Any(u => Names(u, ns));

    /// <summary>The upstream a stored repository is from, and the repository there; null when no upstream serves the name.</summary>
    public ResolvedRepository? Resolve(RepositoryName stored)
    {
        if (Prefixed(stored) is { } prefixed)
        {
            return new ResolvedRepository(prefixed.Upstream, prefixed.Upstream.Repository(prefixed.Remote));
        }

        return Default is { } upstream ? new ResolvedRepository(upstream, upstream.Repository(stored)) : null;
    }

    /// <summary>The store's name for the repository a request names, with its <c>?ns=</c> when it has one.</summary>
    /// <param name="refusal">Why no upstream serves the request, when the answer is null.</param>
    public RepositoryName? StoredNameOrNull(string? ns, RepositoryName requested, out string refusal)
    {
        refusal = "";
        Upstream? upstream;
        var name = requested;
        if (!string.IsNullOrEmpty(ns))
        {
            upstream = All.FirstOrDefault(u => Names(u, ns));
            if (upstream is null)
            {
                refusal = $"this cache mirrors {NameList}, not {ns}";
                return null;
            }
        }
        else if (FirstComponent(requested) is { } first && _byComponent.TryGetValue(first, out upstream))
        {
            name = RepositoryName.Parse(requested.Value[(first.Length + 1)..]);
        }
        else
        {
            upstream = Default ?? (All.Count == 1 ? All[0] : null);
            if (upstream is null)
            {
                refusal = $"'{requested}' names no upstream of this cache: start it with one of {NameList}, or send ?ns=";
                return null;
            }
        }

        if (upstream != Default)
        {
            return RepositoryName.Parse($"{ComponentOf(upstream)}/{name}");
        }

        // Stored as it is, such a name would read as another upstream's.
        if (Prefixed(name) is { } other)
        {
            refusal = $"'{name}' cannot be a repository of {upstream.Options.Name}: its first component names the upstream {other.Upstream.Options.Name}";
            return null;
        }

        // Docker's own rule: a first component with a dot, or localhost (a port's ':' written '_'), is a registry host, and Docker
        // Hub has no such namespace. Without it, an upstream removed from the file would leave its cached
        // repositories (ghcr.io/...) served as Docker Hub's.
        if (upstream.Options.Name == "docker.io" && FirstComponent(name) is { } host && (host.Contains('.') || host is "localhost" || host.StartsWith("localhost_", StringComparison.Ordinal)))
        {
            refusal = $"this cache mirrors {NameList}, not {host}";
            return null;
        }

        return name;
    }

    /// <summary>The path component that names an upstream: its name, a port's ':' written '_'.</summary>
    public static string ComponentOf(Upstream upstream) => upstream.Options.Name.Replace(':', '_');

    private (Upstream Upstream, RepositoryName Remote)? Prefixed(RepositoryName stored) =>
        FirstComponent(stored) is { } first && _byComponent.TryGetValue(first, out var upstream) && upstream != Default
            ? (upstream, RepositoryName.Parse(stored.Value[(first.Length + 1)..]))
            : null;

    private static string? FirstComponent(RepositoryName name) =>
        name.Value.IndexOf('/') is var slash and > 0 ? name.Value[..slash] : null;

    private static bool Names(Upstream upstream, string ns) =>
        ns.Equals(upstream.Options.Name, StringComparison.OrdinalIgnoreCase)
        || ns.Equals(upstream.Options.RemoteUrl.Authority, StringComparison.OrdinalIgnoreCase)
        || ns.Equals(upstream.Options.RemoteUrl.Host, StringComparison.OrdinalIgnoreCase);
}
