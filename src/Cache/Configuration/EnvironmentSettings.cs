using System.Globalization;

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
    public static RegistryOptions Read(IConfiguration configuration) => new()
    {
        StoragePath = configuration["STORAGE_PATH"] is { Length: > 0 } path ? path : RegistryOptions.DefaultStoragePath,
        Port = ReadPort(configuration["PORT"]),
        Secret = ReadSecret(configuration["SECRET"]),
        DeleteEnabled = ReadBoolean(configuration, "DELETE_ENABLED", defaultValue: true),
    };

    private static string ReadSecret(string? value) => value switch
    {
        null or "" => throw new SettingsException($"SECRET is required: set it to the same random string of at least {MinimumSecretLength} characters on every instance"),
        { Length: < MinimumSecretLength } => throw new SettingsException($"SECRET must be at least {MinimumSecretLength} characters (it has {value.Length})"),
        _ => value,
    };

    private static int ReadPort(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return RegistryOptions.DefaultPort;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new SettingsException($"PORT '{value}' is not a port number (0-65535)");
    }

    private static bool ReadBoolean(IConfiguration configuration, string name, bool defaultValue) =>
        configuration[name] switch
        {
            null or "" => defaultValue,
            "true" => true,
            "false" => false,
            var other => throw new SettingsException($"{name} '{other}' must be 'true' or 'false'"),
        };
}
