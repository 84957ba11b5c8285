using System.Runtime.InteropServices;
using Noether.Experiments;

namespace Noether.Cli;

/// <summary>
/// Turns SIGTERM (scancel, preemption, the time limit), SIGUSR1 (Slurm's --signal warning) and SIGINT
/// into a stop request: the run checkpoints at its next safe point and exits instead of dying mid-step.
/// </summary>
public static class StopSignals
{
    // SIGUSR1 has no PosixSignal member; the raw number is accepted on Unix (10 on Linux, 30 on macOS).
    internal static PosixSignal Usr1 => (PosixSignal)(OperatingSystem.IsMacOS() ? 30 : 10);

    public static IDisposable Register(StopSignal stop)
    {
        var registrations = new List<PosixSignalRegistration>();
        void On(PosixSignal signal, string name) => registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
        {
            ctx.Cancel = true; // keep the process alive until the checkpoint is written
            stop.Request(name);
        }));
        On(PosixSignal.SIGTERM, "SIGTERM");
        On(PosixSignal.SIGINT, "SIGINT");
        if (!OperatingSystem.IsWindows()) On(Usr1, "SIGUSR1");
        return new Registrations(registrations);
    }

    private sealed class Registrations(List<PosixSignalRegistration> list) : IDisposable
    {
        public void Dispose() { foreach (var r in list) r.Dispose(); }
    }
}
