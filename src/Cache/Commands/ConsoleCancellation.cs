using System.Runtime.InteropServices;

namespace NeonRegistry.Commands;

/// <summary>
/// Turns the first Ctrl-C (SIGINT) or SIGTERM into a cancellation the command honours at its next safe point, so the
/// store is left consistent. A second signal gets the default behaviour and ends the process at once.
/// </summary>
internal sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly TextWriter _error;
    private readonly PosixSignalRegistration[] _registrations;

    public ConsoleCancellation(TextWriter error)
    {
        _error = error;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (_source.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        _error.WriteLine($"neon-registry: {context.Signal}: stopping at the next safe point; send it again to stop at once");
        _source.Cancel();
    }
}
