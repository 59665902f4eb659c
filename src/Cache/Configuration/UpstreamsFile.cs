using System.Text.RegularExpressions;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace NeonRegistry.Configuration;

/// <summary>
/// UPSTREAMS_FILE: a cache's upstreams in TOML, as containerd's hosts.toml is written, one <c>[[upstream]]</c>
/// table each with <c>name</c>, <c>url</c> and optionally <c>user</c> and <c>password_file</c> (never a password
/// inline: the file may be readable where the password must not be). Read through Tomlyn's syntax tree, which
/// needs no reflection (the binary is compiled ahead of time) and knows the line of every key for the errors.
/// </summary>
internal static partial class UpstreamsFile
{
    private static readonly string[] Keys = ["name", "url", "user", "password_file"];

    /// <summary>Reads the file and the password files it names.</summary>
    /// <param name="taken">Names already in use (REMOTE_URL's upstream), which no entry may repeat.</param>
    /// <returns>The entries, and every file they were read from with its version, to tell when to read them again.</returns>
    /// <exception cref="SettingsException">One line per error, each naming the file, the line and the key.</exception>
    public static (IReadOnlyList<UpstreamOptions> Upstreams, IReadOnlyList<FileVersion> Sources) Read(string path, UpstreamDefaults defaults, IReadOnlyCollection<string> taken)
    {
        var sources = new List<FileVersion> { FileVersion.Of(path) };
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException($"UPSTREAMS_FILE '{path}' cannot be read: {e.Message}");
        }

        var errors = new List<string>();
        var upstreams = new List<UpstreamOptions>();
        var document = SyntaxParser.Parse(text, path, true);
        foreach (var diagnostic in document.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error))
        {
            errors.Add($"UPSTREAMS_FILE {path} line {diagnostic.Span.Start.Line + 1}: {diagnostic.Message}");
        }

        if (errors.Count == 0)
        {
            void Error(SyntaxNodeBase at, string message) => errors.Add($"UPSTREAMS_FILE {path} line {at.Span.Start.Line + 1}: {message}");
            foreach (var stray in document.KeyValues)
            {
                Error(stray, $"'{stray.Key?.ToString().Trim()}' is outside any [[upstream]] table");
            }

            var names = new HashSet<string>(taken, StringComparer.Ordinal);
            foreach (var table in document.Tables)
            {
                if (table is not TableArraySyntax || table.Name?.ToString().Trim() != "upstream")
                {
                    Error(table, $"'{table.Name?.ToString().Trim()}' is not a table this file has: each upstream is an [[upstream]] table");
                    continue;
                }

                if (ReadEntry(table, defaults, Error, sources) is { } upstream)
                {
                    if (!names.Add(upstream.Name))
                    {
                        Error(table, $"name '{upstream.Name}' is given to another upstream already");
                    }

                    upstreams.Add(upstream);
                }
            }

            if (errors.Count == 0 && upstreams.Count == 0)
            {
                errors.Add($"UPSTREAMS_FILE {path} names no upstream: add an [[upstream]] table with name and url");
            }
        }

        return errors.Count > 0 ? throw new SettingsException(string.Join('\n', errors)) : (upstreams, sources);
    }

    private static UpstreamOptions? ReadEntry(TableSyntaxBase table, UpstreamDefaults defaults, Action<SyntaxNodeBase, string> error, List<FileVersion> sources)
    {
        var values = new Dictionary<string, (string Value, SyntaxNodeBase At)>(StringComparer.Ordinal);
        var valid = true;
        foreach (var item in table.Items.OfType<KeyValueSyntax>())
        {
            var key = item.Key?.ToString().Trim().Trim('"') ?? "";
            if (!Keys.Contains(key))
            {
                error(item, $"'{key}' is not a key of an upstream (name, url, user, password_file)");
                valid = false;
            }
            else if (item.Value is not StringValueSyntax { Value: { } value })
            {
                error(item, $"{key} must be a string in quotes");
                valid = false;
            }
            else
            {
                values[key] = (value, item);
            }
        }

        if (!values.TryGetValue("name", out var name) || !values.TryGetValue("url", out var url))
        {
            error(table, "an [[upstream]] needs both name (the registry host clients name, e.g. ghcr.io) and url");
            return null;
        }

        if (!NamePattern().IsMatch(name.Value))
        {
            error(name.At, $"name '{name.Value}' is not a registry host in lower case, such as docker.io, ghcr.io or registry.example.com:5000");
            valid = false;
        }

        if (RemoteUrlOrError(url.Value) is { } problem)
        {
            error(url.At, problem.StartsWith('\'') ? $"url {problem}" : $"url {problem}: give it as user and password_file");
            valid = false;
        }

        string? password = null;
        var user = values.GetValueOrDefault("user");
        var passwordFile = values.GetValueOrDefault("password_file");
        if (user.Value is null != passwordFile.Value is null)
        {
            error(table, $"upstream '{name.Value}' needs user and password_file together, or neither for anonymous pulls");
            valid = false;
        }
        else if (passwordFile.Value is { } file)
        {
            try
            {
                password = File.ReadAllText(file).TrimEnd('\r', '\n');
                sources.Add(FileVersion.Of(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error(passwordFile.At, $"password_file '{file}' cannot be read: {e.Message}");
                valid = false;
            }
        }

        return valid ? defaults.Create(name.Value, new Uri(url.Value), user.Value, password) with
            {
                LoginSetting = $"the user/password_file of {name.Value} in UPSTREAMS_FILE",
                LoginSettings = $"user and password_file of {name.Value} in UPSTREAMS_FILE",
            } : null;
    }

    /// <summary>Why <paramref name="value"/> is not an upstream's root URL, or null when it is one.</summary>
    public static string? RemoteUrlOrError(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.AbsolutePath != "/" && url.AbsolutePath.Length > 0)
        {
            return $"'{value}' is not the absolute http(s) URL of a registry's root, e.g. https://registry-1.docker.io";
        }

        // A login in the URL would be printed wherever the upstream is named (the start-up line, the status page).
        return url.UserInfo.Length > 0 ? "must not carry a login (user:password@host)" : null;
    }

    // Lower case so that it is a repository name's component too (the path form); a port only where ?ns= names it.
    [GeneratedRegex(@"^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]{1,5})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
