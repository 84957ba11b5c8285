using Noether.Runs;

namespace Noether.Sweeps;

/// <summary>Where a trial stands, read from its folder (never from scheduler accounting).</summary>
public enum TrialState
{
    /// <summary>No run.json yet: never started.</summary>
    Missing,
    /// <summary>A worker holds the trial's lock.</summary>
    Running,
    /// <summary>Stopped before the end (signal, or a worker that died); reruns resume from its checkpoint if it has one.</summary>
    Interrupted,
    /// <summary>The experiment threw; the error is in run.json and error.txt.</summary>
    Failed,
    /// <summary>run.json says completed (whatever its claims' verdicts).</summary>
    Completed,
    /// <summary>run.json exists but cannot be read or is invalid: nothing is imported from the trial.</summary>
    Corrupt,
}

/// <summary>One trial's state with its run record (null when missing or corrupt; then <see cref="Problem"/> says why).</summary>
public sealed record TrialStatus(Trial Trial, TrialState State, RunRecord? Record, bool HasCheckpoint, string? Problem = null)
{
    /// <summary>The state of every trial of a sweep, from the folders.</summary>
    public static IReadOnlyList<TrialStatus> Of(SweepManifest manifest) => manifest.Trials.Select(t => Of(manifest, t)).ToList();

    public static TrialStatus Of(SweepManifest manifest, Trial trial)
    {
        string dir = manifest.TrialDirectory(trial);
        bool checkpoint = File.Exists(Path.Combine(dir, Noether.Experiments.RunCheckpoints.FileName));
        if (TrialLock.IsHeld(dir)) return new(trial, TrialState.Running, TryLoad(dir, out _), checkpoint);
        var record = TryLoad(dir, out string? problem);
        if (problem is not null) return new(trial, TrialState.Corrupt, null, checkpoint, problem);
        var state = record?.Status switch
        {
            null => TrialState.Missing,
            RunStatus.Completed => TrialState.Completed,
            RunStatus.Failed => TrialState.Failed,
            _ => TrialState.Interrupted, // "interrupted", or "running" with no live worker
        };
        return new(trial, state, record, checkpoint);
    }

    private static RunRecord? TryLoad(string dir, out string? problem)
    {
        problem = null;
        if (!File.Exists(Path.Combine(dir, "run.json"))) return null;
        try { return RunRecord.Load(dir); }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
            return null;
        }
    }
}
