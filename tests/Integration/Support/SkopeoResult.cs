namespace NeonRegistry.Integration.Support;

/// <summary>How a skopeo run ended; stdout stays bytes because <c>inspect --raw</c> prints a manifest whose digest matters.</summary>
public sealed record SkopeoResult(int ExitCode, byte[] Stdout, string Stderr);
