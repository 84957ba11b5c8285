using System.Diagnostics;
using System.Globalization;
using System.Text;
using Noether.Experiments;

namespace Noether.Sweeps;

/// <summary>Resources and behaviour of a Slurm submission.</summary>
public sealed record SlurmOptions
{
    public string? Partition { get; init; }
    /// <summary>At most this many array tasks at once (the %K of --array); null for no limit.</summary>
    public int? Parallel { get; init; }
    /// <summary>Time limit per task in any Slurm format (e.g. 30:00, 1-00:00:00).</summary>
    public string? Time { get; init; }
    /// <summary>Memory per task (e.g. 4G).</summary>
    public string? Mem { get; init; }
    /// <summary>Block until every task has ended (sbatch --wait).</summary>
    public bool Wait { get; init; }
    /// <summary>Further sbatch directives, e.g. --account=lab or --qos=short.</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];
    /// <summary>The sbatch program.</summary>
    public string Sbatch { get; init; } = "sbatch";
}

/// <summary>
/// The Slurm backend: one job array whose task i runs trial i (`noether sweep run-trial DIR`, index
/// from SLURM_ARRAY_TASK_ID). Only unfinished trials are in the array. `--signal=USR1@90` warns a
/// task 90 s before its time limit; the trial checkpoints and exits, and the next `sweep run` resumes it.
/// </summary>
public static class SlurmBackend
{
    /// <summary>Slurm's --array value for the given indices: ranges and singles ("0-3,7,9-10"), then %K.</summary>
    public static string ArraySpec(IReadOnlyList<int> indices, int? parallel)
    {
        if (indices.Count == 0) throw new ArgumentException("no array indices");
        var sorted = indices.Distinct().Order().ToList();
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(i == j ? Inv(sorted[i]) : $"{Inv(sorted[i])}-{Inv(sorted[j])}");
            i = j + 1;
        }
        return string.Join(',', parts) + (parallel is { } k ? "%" + Inv(k) : "");
    }

    public static string Script(SweepManifest manifest, TrialCommand command, IReadOnlyList<int> indices, SlurmOptions options)
    {
        string dir = manifest.Directory;
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        void Directive(string d) => sb.Append("#SBATCH ").Append(d).Append('\n');
        Directive($"--job-name=noether-{manifest.Experiment}");
        Directive($"--array={ArraySpec(indices, options.Parallel)}");
        Directive("--signal=USR1@90");
        Directive("--ntasks=1");
        Directive($"--cpus-per-task={Inv(command.Threads)}");
        Directive($"--output={Path.Combine(dir, "logs", "slurm-%A_%a.log")}");
        Directive($"--chdir={dir}");
        if (options.Partition is { } p) Directive($"--partition={p}");
        if (options.Time is { } t) Directive($"--time={t}");
        if (options.Mem is { } m) Directive($"--mem={m}");
        foreach (var e in options.Extra) Directive(e);
        sb.Append($"# One array task = one trial of {Path.Combine(dir, SweepManifest.FileName)} (index from SLURM_ARRAY_TASK_ID).\n");
        sb.Append("# SIGUSR1 (time limit near) or SIGTERM (scancel, preemption) makes the trial checkpoint and exit;\n");
        sb.Append("# 'noether sweep run' again submits only unfinished trials, which resume from their checkpoints.\n");
        sb.Append("exec srun --ntasks=1 ").Append(command.ShellLine(dir, null)).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// Writes DIR/slurm/sweep-&lt;time&gt;.sbatch for the unfinished trials and submits it with
    /// `sbatch --parsable`. Without --wait returns once submitted (true); with it, returns whether
    /// every trial completed, read from the folders after sbatch ends.
    /// </summary>
    public static bool Submit(SweepManifest manifest, TrialCommand command, SlurmOptions options, TextWriter output)
    {
        if (options.Parallel is < 1) throw new ConfigException($"--parallel {options.Parallel}: expected an integer ≥ 1");
        var pending = TrialStatus.Of(manifest).Where(s => s.State is not (TrialState.Completed or TrialState.Running)).Select(s => s.Trial.Index).ToList();
        if (pending.Count == 0)
        {
            output.WriteLine($"slurm: all {manifest.Trials.Count} trials are completed or running; nothing to submit");
            return TrialStatus.Of(manifest).All(s => s.State == TrialState.Completed);
        }
        Directory.CreateDirectory(Path.Combine(manifest.Directory, "logs"));
        string scripts = Path.Combine(manifest.Directory, "slurm");
        Directory.CreateDirectory(scripts);
        string script = Path.Combine(scripts, $"sweep-{DateTime.Now.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture)}.sbatch");
        File.WriteAllText(script, Script(manifest, command, pending, options));

        var info = new ProcessStartInfo(options.Sbatch) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--parsable");
        if (options.Wait) info.ArgumentList.Add("--wait");
        info.ArgumentList.Add(script);
        Process process;
        try { process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new ConfigException($"cannot run '{options.Sbatch}' ({e.Message}); is Slurm installed here?"); }
        string? jobId = null;
        var errors = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (string.IsNullOrWhiteSpace(e.Data) || jobId is not null) return;
            jobId = e.Data.Split(';')[0].Trim();
            output.WriteLine($"slurm: submitted job array {jobId} ({pending.Count} trial{(pending.Count == 1 ? "" : "s")}: {ArraySpec(pending, options.Parallel)}), script {script}");
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        if (jobId is null)
            throw new ConfigException($"sbatch failed (exit {process.ExitCode}): {errors.ToString().Trim().ReplaceLineEndings(" ")}");
        if (!options.Wait)
        {
            output.WriteLine($"slurm: follow with 'noether sweep status {manifest.Directory}'");
            return true;
        }
        var statuses = TrialStatus.Of(manifest);
        int completed = statuses.Count(s => s.State == TrialState.Completed);
        output.WriteLine($"slurm: job {jobId} ended (sbatch exit {process.ExitCode}); {completed} of {statuses.Count} trials completed");
        foreach (var s in statuses.Where(s => s.State != TrialState.Completed))
            output.WriteLine($"  trial {s.Trial.Index} ({s.Trial.Name}): {s.State.ToString().ToLowerInvariant()}{(s.Record?.Error is { } err ? ": " + err : "")}");
        return process.ExitCode == 0 && completed == statuses.Count;
    }

    private static string Inv(int v) => v.ToString(CultureInfo.InvariantCulture);
}
