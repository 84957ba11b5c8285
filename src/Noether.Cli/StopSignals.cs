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
    private static PosixSignal Usr1 => (PosixSignal)(OperatingSystem.IsMacOS() ? 30 : 10);

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

    /// <summary>
    /// Calls <paramref name="stop"/> on SIGUSR1, whose default action would kill the process and leave run.json
    /// at running; SIGTERM and SIGINT already cancel a command through System.CommandLine.
    /// </summary>
    public static IDisposable OnUsr1(Action stop)
    {
        if (OperatingSystem.IsWindows()) return new Registrations([]);
        return new Registrations([PosixSignalRegistration.Create(Usr1, ctx => { ctx.Cancel = true; stop(); })]);
    }

    private sealed class Registrations(List<PosixSignalRegistration> list) : IDisposable
    {
        public void Dispose() { foreach (var r in list) r.Dispose(); }
    }
}
