using System.Text.Json;
using NeonRegistry.Integration.Support;

namespace NeonRegistry.Deployment.Support;

/// <summary>docker/Dockerfile read as its instructions (continuations joined, comments dropped), for checks that need no Docker engine.</summary>
public sealed class Dockerfile
{
    private Dockerfile(IReadOnlyList<(string Keyword, string Arguments)> instructions)
    {
        Instructions = instructions;
    }

    public IReadOnlyList<(string Keyword, string Arguments)> Instructions { get; }

    /// <summary>The instructions of the last stage: the image that ships.</summary>
    public IEnumerable<(string Keyword, string Arguments)> FinalStage =>
        Instructions.Skip(Instructions.Select((instruction, index) => (instruction, index)).Last(i => i.instruction.Keyword == "FROM").index);

    public static Dockerfile Read()
    {
        var instructions = new List<(string, string)>();
        var pending = "";
        foreach (var raw in File.ReadAllLines(RepositoryRoot.File("docker/Dockerfile")))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var full = (pending + line).Trim();
            pending = "";
            if (full.Length > 0)
            {
                var space = full.IndexOf(' ');
                instructions.Add((full[..space].ToUpperInvariant(), full[(space + 1)..].Trim()));
            }
        }

        return new Dockerfile(instructions);
    }

    /// <summary>The arguments of the one instruction of the final stage with this keyword.</summary>
    public string Single(string keyword) => FinalStage.Single(i => i.Keyword == keyword).Arguments;

    /// <summary>The value with every <c>${NAME}</c> replaced by the default its ARG instruction gives.</summary>
    public string WithArgumentDefaults(string value)
    {
        foreach (var (_, arguments) in Instructions.Where(i => i.Keyword == "ARG" && i.Arguments.Contains('=')))
        {
            var equals = arguments.IndexOf('=');
            value = value.Replace($"${{{arguments[..equals]}}}", arguments[(equals + 1)..], StringComparison.Ordinal);
        }

        return value;
    }

    /// <summary>An exec-form (JSON array) command, e.g. ENTRYPOINT's or the part of HEALTHCHECK after CMD.</summary>
    public static string[] ExecForm(string arguments) =>
        JsonSerializer.Deserialize<string[]>(arguments[arguments.IndexOf('[')..]) ?? throw new FormatException($"not an exec form: {arguments}");
}
