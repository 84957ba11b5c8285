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
        return cmd;
    }

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
}
