using System.Diagnostics;
using System.Globalization;
using Noether.Experiments;

namespace Noether.Sweeps;

/// <summary>
/// The local backend: runs the sweep's unfinished trials as `noether sweep run-trial` processes,
/// at most <c>jobs</c> at a time, each logging to DIR/logs/trial-&lt;i&gt;.log. A stop request
/// (the pool got SIGTERM or SIGINT) stops launching and passes SIGTERM on, so running trials
/// checkpoint; the next `sweep run` resumes them.
/// </summary>
public static class LocalPool
{
    /// <summary>Runs the pending trials; returns true when every trial of the sweep has completed.</summary>
    public static bool Run(SweepManifest manifest, TrialCommand command, int jobs, TextWriter output, StopSignal? stop = null)
    {
        if (jobs < 1) throw new ConfigException($"-j {jobs}: expected an integer ≥ 1");
        var statuses = TrialStatus.Of(manifest);
        var pending = new Queue<Trial>(statuses.Where(s => s.State is not (TrialState.Completed or TrialState.Running)).Select(s => s.Trial));
        int elsewhere = statuses.Count(s => s.State == TrialState.Running);
        output.WriteLine($"local pool: {pending.Count} of {manifest.Trials.Count} trials to run with {jobs} workers"
                         + (elsewhere > 0 ? $" ({elsewhere} running in another worker)" : ""));
        string logs = Path.Combine(manifest.Directory, "logs");
        Directory.CreateDirectory(logs);
        var running = new List<(Process Process, Trial Trial, StreamWriter Log)>();
        using var onStop = stop?.OnRequest(() =>
        {
            lock (running) foreach (var r in running) ProcessSignals.Terminate(r.Process);
        });
        int done = 0, total = pending.Count;
        while (pending.Count > 0 || running.Count > 0)
        {
            while (running.Count < jobs && pending.Count > 0 && stop?.IsRequested != true)
            {
                var trial = pending.Dequeue();
                lock (running) running.Add(Start(manifest, command, trial, logs));
            }
            if (running.Count == 0) break;
            int finished = Task.WaitAny(running.Select(r => r.Process.WaitForExitAsync()).ToArray());
            var (process, t, log) = running[finished];
            lock (running) running.RemoveAt(finished);
            process.WaitForExit(); // drains the redirected output
            log.Dispose();
            var status = TrialStatus.Of(manifest, t);
            done++;
            string claims = status.Record is { } rec ? $", {Noether.Experiments.ClaimCounts.Of(rec.Claims.Select(Noether.Experiments.ExperimentRunner.FromRecord))}" : "";
            output.WriteLine($"[{done}/{total}] trial {t.Index} ({t.Name}): {status.State.ToString().ToLowerInvariant()}{claims}"
                             + (process.ExitCode != 0 ? $" (exit {process.ExitCode}, log {Path.Combine(logs, LogName(t))})" : ""));
            process.Dispose();
        }
        return TrialStatus.Of(manifest).All(s => s.State == TrialState.Completed);
    }

    private static string LogName(Trial t) => $"trial-{t.Index.ToString(CultureInfo.InvariantCulture)}.log";

    /// <summary>
    /// DIR/logs/trial-&lt;i&gt;.log, appended to and held exclusively: a second pool on the same folder would
    /// write over this one's lines at its own file position, so it logs to trial-&lt;i&gt;.&lt;pid&gt;.log instead.
    /// </summary>
    private static FileStream OpenLog(string logs, Trial trial)
    {
        string path = Path.Combine(logs, LogName(trial));
        // FileShare.None takes an exclusive advisory lock (flock) on Unix; tools like tail still read the file.
        try { return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None); }
        catch (IOException)
        {
            return new FileStream(Path.ChangeExtension(path, $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.log"), FileMode.Append, FileAccess.Write, FileShare.Read);
        }
    }

    private static (Process, Trial, StreamWriter) Start(SweepManifest manifest, TrialCommand command, Trial trial, string logs)
    {
        var log = new StreamWriter(OpenLog(logs, trial)) { AutoFlush = true };
        var info = new ProcessStartInfo(command.Program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in command.Arguments(manifest.Directory, trial.Index)) info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info };
        void Write(object _, DataReceivedEventArgs e) { if (e.Data is not null) lock (log) log.WriteLine(e.Data); }
        process.OutputDataReceived += Write;
        process.ErrorDataReceived += Write;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, trial, log);
    }
}
