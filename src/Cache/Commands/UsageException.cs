namespace NeonRegistry.Commands;

/// <summary>A bad command line. Its message is the one line printed before the command exits 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
