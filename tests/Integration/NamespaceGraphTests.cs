using System.Text.RegularExpressions;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Integration;

/// <summary>
/// The folders of src/Cache (one namespace each) depend on each other without a cycle: a cycle means two folders
/// are one concept split in two, or one reaches back into a layer that builds on it. The graph is read from the
/// sources: a <c>using NeonRegistry.X</c>, or a reference <c>X.Type</c> to a type declared in folder X.
/// </summary>
public sealed partial class NamespaceGraphTests
{
    [Fact]
    public void CacheFolders_DependOnEachOther_WithoutCycle()
    {
        var graph = CacheGraph();
        // The edges this test exists for; if it stops finding them, the parsing is broken, not the graph clean.
        Assert.Contains("Configuration", graph["Api"].Keys);
        Assert.Contains("Proxy", graph["Hosting"].Keys);

        var cycles = Cycles(graph).ToList();
        Assert.True(cycles.Count == 0, "cycles between src/Cache folders:\n" + string.Join("\n", cycles.Select(cycle => Describe(graph, cycle))));
    }

    /// <summary>Folder → folder it depends on → the files that make the edge.</summary>
    private static Dictionary<string, Dictionary<string, SortedSet<string>>> CacheGraph()
    {
        var cache = RepositoryRoot.File("src/Cache");
        var folders = Directory.GetDirectories(cache).Select(Path.GetFileName).OfType<string>()
            .Where(folder => folder is not ("bin" or "obj")).ToList();
        var types = folders.ToDictionary(folder => folder, folder => SourcesOf(Path.Combine(cache, folder))
            .SelectMany(file => TypeDeclaration().Matches(File.ReadAllText(file)).Select(match => match.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal));
        var graph = folders.ToDictionary(folder => folder, _ => new Dictionary<string, SortedSet<string>>());
        foreach (var from in folders)
        {
            foreach (var file in SourcesOf(Path.Combine(cache, from)))
            {
                var text = LineComment().Replace(File.ReadAllText(file), "");
                var used = UsingDirective().Matches(text).Select(match => match.Groups[1].Value)
                    .Concat(QualifiedName().Matches(text).Where(match => types.TryGetValue(match.Groups[1].Value, out var declared) && declared.Contains(match.Groups[2].Value))
                        .Select(match => match.Groups[1].Value));
                foreach (var to in used.Where(to => to != from && graph.ContainsKey(to)))
                {
                    if (!graph[from].TryGetValue(to, out var files))
                    {
                        graph[from][to] = files = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    files.Add(Path.GetRelativePath(cache, file));
                }
            }
        }

        return graph;
    }

    private static IEnumerable<string> SourcesOf(string directory) =>
        Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    /// <summary>Each strongly connected group of more than one folder (Tarjan), as one cycle to report.</summary>
    private static IEnumerable<List<string>> Cycles(Dictionary<string, Dictionary<string, SortedSet<string>>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var groups = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var next in graph[node].Keys)
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var group = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    group.Add(member);
                }
                while (member != node);
                groups.Add(group);
            }
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal).Where(node => !index.ContainsKey(node)))
        {
            Visit(node);
        }

        return groups.Where(group => group.Count > 1).Select(group => group.Order(StringComparer.Ordinal).ToList());
    }

    private static string Describe(Dictionary<string, Dictionary<string, SortedSet<string>>> graph, List<string> group) =>
        string.Join("\n", group.SelectMany(from => graph[from].Where(edge => group.Contains(edge.Key))
            .Select(edge => $"  {from} -> {edge.Key} ({string.Join(", ", edge.Value)})")));

    [GeneratedRegex(@"^\s*using\s+(?:static\s+)?NeonRegistry\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"(?<![\w.])(?:NeonRegistry\.)?(\w+)\.(\w+)")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"\b(?:class|record(?:\s+struct|\s+class)?|struct|interface|enum)\s+(\w+)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();
}
