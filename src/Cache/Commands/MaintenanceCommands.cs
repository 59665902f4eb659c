using System.CommandLine;
using System.CommandLine.Parsing;
using NeonRegistry.Configuration;
using NeonRegistry.Storage;

namespace NeonRegistry.Commands;

/// <summary>
/// The maintenance subcommands of the registry binary, so they run from the same image against the same volume.
/// Of the settings they read only STORAGE_PATH, and REMOTE_URL to know a cache's store: no login or secret is
/// needed to maintain a store. System.CommandLine parses each command's options; a parse error is reported in
/// one line, in the commands' own words, with the usage, and exits 2.
/// </summary>
internal static class MaintenanceCommands
{
    private static readonly Dictionary<string, (string Usage, Command Definition, Func<ParseResult, IMaintenanceCommand> Bind)> Commands = new(StringComparer.Ordinal)
    {
        ["garbage-collect"] = (GarbageCollectCommand.Usage, GarbageCollectCommand.Definition, GarbageCollectCommand.Bind),
        ["purge-uploads"] = (PurgeUploadsCommand.Usage, PurgeUploadsCommand.Definition, PurgeUploadsCommand.Bind),
        ["verify"] = (VerifyCommand.Usage, VerifyCommand.Definition, VerifyCommand.Bind),
    };

    // "@file" is an unknown argument, as it always was, not a file to read more arguments from.
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.ContainsKey(args[0]);

    /// <summary>Runs a subcommand as the process: settings from the environment, the console, Ctrl-C to stop.</summary>
    public static async Task<int> RunFromConsoleAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        using var cancellation = new ConsoleCancellation(Console.Error);
        return await RunAsync(args, configuration, MaintenanceConsole.System(), cancellation.Token);
    }

    /// <param name="args">The subcommand's name, then its arguments.</param>
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, MaintenanceConsole console, CancellationToken cancellationToken)
    {
        var name = args[0];
        var (usage, definition, bind) = Commands[name];
        var arguments = args[1..];
        if (arguments is ["--help"] or ["-h"])
        {
            console.Output.WriteLine($"usage: neon-registry {usage}");
            return ExitCodes.Ok;
        }

        var parsed = definition.Parse(arguments, Parsing);
        if (parsed.Errors.Count > 0)
        {
            console.Error.WriteLine($"neon-registry {name}: {Describe(parsed)} (usage: neon-registry {usage})");
            return ExitCodes.Usage;
        }

        var command = bind(parsed);

        var storagePath = EnvironmentSettings.ReadStoragePath(configuration);
        if (!Directory.Exists(storagePath))
        {
            console.Error.WriteLine($"neon-registry {name}: STORAGE_PATH '{storagePath}' does not exist");
            return ExitCodes.Failed;
        }

        var target = new MaintenanceTarget(new StorageLayout(storagePath), EnvironmentSettings.ReadIsCache(configuration));
        return await RunCommandAsync(name, command, target, console, cancellationToken);
    }

    /// <summary>The first thing wrong with the command line, in the words the commands have always used.</summary>
    private static string Describe(ParseResult parsed)
    {
        var error = parsed.Errors[0];
        return error.SymbolResult switch
        {
            OptionResult { Tokens.Count: 0 } option => $"{option.Option.Name} needs a value",
            OptionResult => error.Message,
            _ when parsed.UnmatchedTokens.Count > 0 => $"unknown argument '{parsed.UnmatchedTokens[0]}'",
            _ => error.Message,
        };
    }

    private static async Task<int> RunCommandAsync(string name, IMaintenanceCommand command, MaintenanceTarget target, MaintenanceConsole console, CancellationToken cancellationToken)
    {
        var reporter = new ConsoleReporter(console, TimeProvider.System);
        try
        {
            return await command.RunAsync(target, reporter, console.Output, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Each step leaves the store consistent, so a failed one is reported and the command simply stops.
            reporter.Finish();
            console.Error.WriteLine($"neon-registry {name}: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
