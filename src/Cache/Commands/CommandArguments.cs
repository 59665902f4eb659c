namespace NeonRegistry.Commands;

/// <summary>A command's options: flags (<c>--dry-run</c>) and options with a value (<c>--grace 2h</c> or <c>--grace=2h</c>).</summary>
internal sealed class CommandArguments
{
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private CommandArguments()
    {
    }

    /// <exception cref="UsageException">An argument that is not one of <paramref name="flags"/> or <paramref name="options"/>, or an option without its value.</exception>
    public static CommandArguments Parse(IReadOnlyList<string> arguments, IReadOnlyCollection<string> flags, IReadOnlyCollection<string> options)
    {
        var parsed = new CommandArguments();
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var equals = argument.IndexOf('=');
            if (flags.Contains(argument))
            {
                parsed._flags.Add(argument);
            }
            else if (options.Contains(argument))
            {
                parsed._values[argument] = i + 1 < arguments.Count && !arguments[i + 1].StartsWith("--", StringComparison.Ordinal)
                    ? arguments[++i]
                    : throw new UsageException($"{argument} needs a value");
            }
            else if (equals > 0 && options.Contains(argument[..equals]))
            {
                parsed._values[argument[..equals]] = argument[(equals + 1)..];
            }
            else
            {
                throw new UsageException($"unknown argument '{argument}'");
            }
        }

        return parsed;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? ValueOrNull(string option) => _values.GetValueOrDefault(option);
}
