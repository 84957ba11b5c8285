using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Noether.Sweeps;

/// <summary>Asks a child process to stop gracefully (SIGTERM on Unix, so it can checkpoint); Process.Kill would be SIGKILL.</summary>
public static class ProcessSignals
{
    private const int SigTerm = 15;

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    public static void Terminate(Process process)
    {
        if (process.HasExited) return;
        if (OperatingSystem.IsWindows()) { process.Kill(); return; }
        Kill(process.Id, SigTerm);
    }
}
