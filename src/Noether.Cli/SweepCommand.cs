using System.CommandLine;
using Noether.Sweeps;
using Spectre.Console;

namespace Noether.Cli;

/// <summary>
/// `noether sweep`: plan a sweep into a folder of trials, run them (local process pool, Slurm job
/// array, or printed commands for any other scheduler), one idempotent trial at a time, and read
/// the results back (status, collect into SQLite).
/// </summary>
public static class SweepCommand
{
    public static Command Build()
    {
        var cmd = new Command("sweep", "Sweeps: plan a manifest of trials, run them locally or on Slurm, resume, collect results.");
        cmd.Subcommands.Add(PlanCommand());
        cmd.Subcommands.Add(RunTrialCommand());
        return cmd;
    }

    private static Option<int> TrialThreadsOption() => new("--threads")
    {
        Description = "Threads per trial (1 is deterministic across machines and resumes bit for bit)",
        DefaultValueFactory = _ => 1,
    };

    private static Option<double> CheckpointEveryOption() => new("--checkpoint-every")
    {
        Description = "Seconds between periodic checkpoints of resumable experiments (0: at every safe point)",
        DefaultValueFactory = _ => 60,
    };

    private static Argument<string> DirArgument() => new("dir") { Description = "Sweep folder (holds manifest.json and trials/)" };

    private static Command PlanCommand()
    {
        var cmd = new Command("plan", "Expand a sweep spec (JSON) into DIR/manifest.json of fully resolved trial configs; nothing is written if any trial is invalid.");
        var spec = new Argument<string>("spec") { Description = "Sweep spec: {experiment, profile, set: {key: value}, axes: {key: [values]}, seeds: [..]}" };
        var outDir = new Option<string>("--out") { Description = "Sweep folder to create", Required = true };
        cmd.Arguments.Add(spec);
        cmd.Options.Add(outDir);
        cmd.SetAction(r =>
        {
            var manifest = SweepPlanner.Plan(SweepSpec.Load(r.GetValue(spec)!), r.GetValue(outDir)!);
            Console.WriteLine($"planned {manifest.Trials.Count} trials of {manifest.Experiment} ({manifest.Profile}) over {string.Join(" × ", manifest.AxisKeys)} in {manifest.Directory}");
            return Commands.Ok;
        });
        return cmd;
    }

    private static Command RunTrialCommand()
    {
        var cmd = new Command("run-trial", "Run one trial of a sweep into DIR/trials/<name>; exits 0 at once if it already completed, resumes it if it was interrupted.");
        var dir = DirArgument();
        var index = new Option<int?>("--index") { Description = "Trial index (default: SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or SGE_TASK_ID − 1)" };
        var threads = TrialThreadsOption();
        var every = CheckpointEveryOption();
        cmd.Arguments.Add(dir);
        foreach (var o in new Option[] { index, threads, every }) cmd.Options.Add(o);
        // Synchronous action: the signal handlers below are the only ones, so SIGTERM checkpoints instead of cancelling.
        cmd.SetAction(r =>
        {
            var manifest = SweepManifest.Load(r.GetValue(dir)!);
            int i = r.GetValue(index) ?? TrialRunner.IndexFromEnvironment(Environment.GetEnvironmentVariable)
                ?? throw new Noether.Experiments.ConfigException("no trial index: give --index or run as an array task (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or SGE_TASK_ID)");
            if (r.GetValue(threads) < 1) throw new Noether.Experiments.ConfigException($"--threads {r.GetValue(threads)}: expected an integer ≥ 1");
            var trial = manifest.Get(i);
            var settings = new Noether.Experiments.CheckpointSettings { EverySeconds = r.GetValue(every) };
            using var signals = StopSignals.Register(settings.Stop);
            var (outcome, record) = TrialRunner.Run(manifest, i, r.GetValue(threads), settings);
            string claims = record is null ? "" : $", {record.Claims.Count(c => c.Passed)}/{record.Claims.Count} claims passed";
            Console.WriteLine(outcome switch
            {
                TrialOutcome.AlreadyCompleted => $"trial {i} ({trial.Name}): already completed{claims}",
                TrialOutcome.Completed => $"trial {i} ({trial.Name}): completed in {record!.Seconds:0.0} s{claims}" + (record.ResumedFrom.Count > 0 ? $" (resumed from {string.Join(", ", record.ResumedFrom)})" : ""),
                TrialOutcome.Busy => $"trial {i} ({trial.Name}): another worker is running it",
                _ => $"trial {i} ({trial.Name}): {record!.Status}: {record.Error}",
            });
            return outcome is TrialOutcome.AlreadyCompleted or TrialOutcome.Completed ? Commands.Ok : Commands.ClaimsFailed;
        });
        return cmd;
    }
}
