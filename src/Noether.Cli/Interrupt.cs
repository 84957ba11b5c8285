using System.Runtime.InteropServices;

namespace Noether.Cli;

/// <summary>
/// Ctrl+C (SIGINT), SIGTERM and SIGUSR1 (a scheduler's time-limit warning) during `run` and `reproduce`:
/// the first cancels the run, which stops at its next step and is saved with status interrupted; a second
/// one ends the process at once. The exit code is the shell's convention, 128 + the signal number.
/// </summary>
public sealed class Interrupt : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private volatile string? _signal;

    private Interrupt()
    {
        var signals = new List<(PosixSignal, string)> { (PosixSignal.SIGINT, "SIGINT"), (PosixSignal.SIGTERM, "SIGTERM") };
        if (!OperatingSystem.IsWindows()) signals.Add((StopSignals.Usr1, "SIGUSR1"));
        foreach (var (signal, name) in signals)
            _registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                if (Interlocked.CompareExchange(ref _signal, name, null) is not null) return; // the second signal: default handling ends the process
                ctx.Cancel = true;
                Console.Error.WriteLine($"noether: {name} received; stopping at the next step and saving the run as interrupted (send it again to quit at once)");
                _cancel.Cancel();
            }));
    }

    /// <summary>Starts listening; dispose to restore the default handling.</summary>
    public static Interrupt Listen() => new();

    public CancellationToken Token => _cancel.Token;

    /// <summary>The signal that arrived ("SIGINT", "SIGTERM" or "SIGUSR1"), or null.</summary>
    public string? Signal => _signal;

    /// <summary>130 after SIGINT, 143 after SIGTERM, 138 after SIGUSR1 (Linux numbering), null when no signal arrived.</summary>
    public int? ExitCode => _signal switch { "SIGINT" => 130, "SIGTERM" => 143, "SIGUSR1" => 138, _ => null };

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cancel.Dispose();
    }
}
