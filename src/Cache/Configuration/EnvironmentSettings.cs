using System.Globalization;
using Serilog.Events;

namespace NeonRegistry.Configuration;

/// <summary>
/// The one place that reads settings. They are the flat environment names the image documents (USERNAME,
/// SECRET, ...), read through <see cref="IConfiguration"/> so tests can pass the same keys in memory.
/// Every value is parsed strictly: a bad value stops start-up with one line naming the variable.
/// </summary>
internal static class EnvironmentSettings
{
    public const int MinimumSecretLength = 32;

    /// <exception cref="SettingsException">A setting is missing or malformed.</exception>
    public static RegistryOptions Read(IConfiguration configuration)
    {
        string? Get(string name) => configuration[name] is { Length: > 0 } value ? value : null;

        return new RegistryOptions
        {
            StoragePath = ReadStoragePath(configuration),
            Port = ReadPort(Get("PORT")),
            Secret = ReadSecret(Get("SECRET")),
            Username = ReadUsername(Get("USERNAME")),
            Password = Get("PASSWORD") ?? throw new SettingsException("PASSWORD is required: the password of the registry login USERNAME"),
            HtpasswdFile = ReadExistingFile("HTPASSWD_FILE", Get("HTPASSWD_FILE")),
            ReadOnly = ReadBoolean("READ_ONLY", Get("READ_ONLY"), defaultValue: false),
            DeleteEnabled = ReadBoolean("DELETE_ENABLED", Get("DELETE_ENABLED"), defaultValue: true),
            LogLevel = ReadLogLevel(Get("LOG_LEVEL")),
            JsonLogs = ReadLogFormat(Get("LOG_FORMAT")),
            InstanceName = Get("HOST") ?? Environment.MachineName,
        };
    }

    /// <summary>
    /// Only the store's location: all the maintenance commands need, so they run without the login and secret
    /// that serving requires.
    /// </summary>
    public static string ReadStoragePath(IConfiguration configuration) =>
        configuration["STORAGE_PATH"] is { Length: > 0 } path ? path : RegistryOptions.DefaultStoragePath;

    private static string ReadSecret(string? value) => value switch
    {
        null => throw new SettingsException($"SECRET is required: set it to the same random string of at least {MinimumSecretLength} characters on every instance"),
        { Length: < MinimumSecretLength } => throw new SettingsException($"SECRET must be at least {MinimumSecretLength} characters (it has {value.Length})"),
        _ => value,
    };

    private static string ReadUsername(string? value) => value switch
    {
        null => throw new SettingsException("USERNAME is required: the user name of the registry login"),
        _ when value.Contains(':') => throw new SettingsException("USERNAME must not contain ':' (basic authentication splits on it)"),
        _ => value,
    };

    private static int ReadPort(string? value)
    {
        if (value is null)
        {
            return RegistryOptions.DefaultPort;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new SettingsException($"PORT '{value}' is not a port number (0-65535)");
    }

    private static bool ReadBoolean(string name, string? value, bool defaultValue) => value switch
    {
        null => defaultValue,
        "true" => true,
        "false" => false,
        _ => throw new SettingsException($"{name} '{value}' must be 'true' or 'false'"),
    };

    private static LogEventLevel ReadLogLevel(string? value) => value switch
    {
        null or "info" => LogEventLevel.Information,
        "error" => LogEventLevel.Error,
        "warn" => LogEventLevel.Warning,
        "debug" => LogEventLevel.Debug,
        _ => throw new SettingsException($"LOG_LEVEL '{value}' must be one of error, warn, info, debug"),
    };

    private static bool ReadLogFormat(string? value) => value switch
    {
        null or "text" => false,
        "json" => true,
        _ => throw new SettingsException($"LOG_FORMAT '{value}' must be 'text' or 'json'"),
    };

    private static string? ReadExistingFile(string name, string? value) =>
        value is null || File.Exists(value) ? value : throw new SettingsException($"{name} '{value}' does not exist");
}
