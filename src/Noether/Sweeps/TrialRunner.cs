using System.Globalization;
using System.Text.Json.Nodes;
using Noether.Experiments;
using Noether.Runs;

namespace Noether.Sweeps;

/// <summary>How one trial ended for the worker that was asked to run it.</summary>
public enum TrialOutcome
{
    /// <summary>run.json already said completed: nothing was done.</summary>
    AlreadyCompleted,
    Completed,
    /// <summary>Stopped by a signal (checkpointed if the experiment is resumable) or cancelled.</summary>
    Interrupted,
    Failed,
    /// <summary>Another live worker holds the trial's lock.</summary>
    Busy,
}

/// <summary>
/// Runs one trial of a sweep into DIR/trials/&lt;name&gt; through <see cref="ExperimentRunner"/>:
/// idempotent (a completed trial returns at once), exclusive (a lock per trial folder) and
/// resumable (an interrupted trial continues from its checkpoint).
/// </summary>
public static class TrialRunner
{
    /// <summary>
    /// The trial index a scheduler gives an array task: the first set of SLURM_ARRAY_TASK_ID,
    /// JOB_COMPLETION_INDEX (Kubernetes indexed jobs) and SGE_TASK_ID (1-based, so minus one; SGE sets
    /// it to "undefined" outside array jobs). Null when none is set.
    /// </summary>
    public static int? IndexFromEnvironment(Func<string, string?> variable)
    {
        foreach (var (name, offset) in new[] { ("SLURM_ARRAY_TASK_ID", 0), ("JOB_COMPLETION_INDEX", 0), ("SGE_TASK_ID", -1) })
        {
            string? text = variable(name);
            if (string.IsNullOrEmpty(text) || (name == "SGE_TASK_ID" && text == "undefined")) continue;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                throw new ConfigException($"{name}={text}: expected an integer trial index");
            return v + offset;
        }
        return null;
    }

    public static (TrialOutcome Outcome, RunRecord? Record) Run(SweepManifest manifest, int index, int threads, CheckpointSettings checkpoints,
        IRunProgress? progress = null, CancellationToken cancel = default)
    {
        var trial = manifest.Get(index);
        string dir = manifest.TrialDirectory(trial);
        if (IsCompleted(dir)) return (TrialOutcome.AlreadyCompleted, RunRecord.Load(dir));
        var request = new RunRequest(manifest.Experiment)
        {
            Profile = manifest.Profile,
            Seed = trial.Seed,
            Sets = trial.Sets,
            OutputDirectory = dir,
            Threads = threads,
            Checkpoints = checkpoints,
        };
        CheckConfig(manifest, trial, request);
        OutputFolder.Claim(dir, $"trial folder of trial {index}", TrialLock.FileName);
        using var held = TrialLock.TryAcquire(dir, TimeSpan.FromSeconds(2));
        if (held is null) return (TrialOutcome.Busy, null);
        // Another worker may have finished it between the first look and the lock.
        if (IsCompleted(dir)) return (TrialOutcome.AlreadyCompleted, RunRecord.Load(dir));
        var result = ExperimentRunner.Run(request, progress, cancel);
        var outcome = result.Record.Status switch
        {
            RunStatus.Completed => TrialOutcome.Completed,
            RunStatus.Interrupted => TrialOutcome.Interrupted,
            _ => TrialOutcome.Failed,
        };
        return (outcome, result.Record);
    }

    private static bool IsCompleted(string dir)
    {
        if (!File.Exists(Path.Combine(dir, "run.json"))) return false;
        try { return RunRecord.Load(dir).Status == RunStatus.Completed; }
        catch (UnreadableFileException) { return false; }
    }

    /// <summary>The config resolved now must be the one planned: a changed default or profile would silently make another trial.</summary>
    private static void CheckConfig(SweepManifest manifest, Trial trial, RunRequest request)
    {
        var now = ConfigBinder.ToJson(ExperimentRunner.ResolveConfig(Registry.Get(manifest.Experiment), request));
        if (!JsonNode.DeepEquals(now, trial.Config))
            throw new ConfigException($"trial {trial.Index} ({trial.Name}): its config resolves differently now than in {SweepManifest.FileName} (Noether's defaults changed since 'sweep plan'?); plan the sweep again into a new folder");
    }
}
