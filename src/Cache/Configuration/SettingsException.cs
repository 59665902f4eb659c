namespace NeonRegistry.Configuration;

/// <summary>A missing or bad setting. Its message is the one line printed before the process exits 1.</summary>
internal sealed class SettingsException(string message) : Exception(message);
