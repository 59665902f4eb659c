using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using NeonRegistry.Micro;

// Reports go beside the build output (ignored by git), not into the directory the command was started from.
var config = DefaultConfig.Instance.WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));

// Not typeof(Program): the registry's own Program is visible here too (InternalsVisibleTo).
BenchmarkSwitcher.FromAssembly(typeof(DigestBenchmarks).Assembly).Run(args, config);
