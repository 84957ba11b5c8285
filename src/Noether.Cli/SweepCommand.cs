using System.CommandLine;
using Noether.Sweeps;
using Noether.Reports;
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
        cmd.Subcommands.Add(RunCommand());
        cmd.Subcommands.Add(RunTrialCommand());
        cmd.Subcommands.Add(StatusCommand());
        cmd.Subcommands.Add(CollectCommand());
        cmd.Subcommands.Add(ReportCommand());
        return cmd;
    }

    /// <summary>How this very program is started again for one trial (apphost, or dotnet noether.dll).</summary>
    private static TrialCommand Self(int threads, double checkpointEvery) =>
        TrialCommand.ForCurrentProcess(typeof(SweepCommand).Assembly.Location, threads, checkpointEvery);

    private static Option<int> TrialThreadsOption() => new("--threads")
    {
        Description = "Threads per trial (1 is deterministic across machines and resumes bit for bit)",
        DefaultValueFactory = _ => 1,
    };

    internal static Option<double> CheckpointEveryOption() => new("--checkpoint-every")
    {
        Description = "Seconds between periodic checkpoints (0: at every safe point)",
        DefaultValueFactory = _ => 60,
    };

    private static string Trials(int n) => n == 1 ? "1 trial" : $"{n} trials";

    private static Option<bool> AllowCorruptOption() => new("--allow-corrupt") { Description = "Exit 0 even if some trial's run.json is corrupt (such trials are listed and nothing is imported from them)" };

    /// <summary>The --checkpoint-every value, refused unless a finite number of seconds ≥ 0.</summary>
    internal static double CheckpointEvery(ParseResult r, Option<double> every)
    {
        double v = r.GetValue(every);
        if (!double.IsFinite(v) || v < 0)
            throw new Noether.Experiments.ConfigException($"--checkpoint-every {v.ToString(System.Globalization.CultureInfo.InvariantCulture)}: expected a number of seconds ≥ 0");
        return v;
    }

    /// <summary>Exit 2 with one line when a trial is corrupt, unless allowed; otherwise <paramref name="ok"/>.</summary>
    private static int CorruptExit(IReadOnlyList<TrialStatus> statuses, bool allow, int ok)
    {
        var corrupt = statuses.Where(s => s.State == TrialState.Corrupt).ToList();
        if (corrupt.Count == 0 || allow) return ok;
        Commands.Error($"{corrupt.Count} trial(s) have a corrupt run.json and were not imported (first: {corrupt[0].Problem}); fix or delete those run.json files, or pass --allow-corrupt");
        return Commands.UserError;
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
            Console.WriteLine($"planned {Trials(manifest.Trials.Count)} of {manifest.Experiment} ({manifest.Profile}) over {string.Join(" × ", manifest.AxisKeys)} in {manifest.Directory}");
            return Commands.Ok;
        });
        return cmd;
    }

    private static Command RunCommand()
    {
        var cmd = new Command("run", "Run the sweep's unfinished trials: --local (process pool), --slurm (job array) or --print (commands for any scheduler).");
        var dir = DirArgument();
        var local = new Option<bool>("--local") { Description = "Run the trials here as a pool of processes" };
        var jobs = new Option<int>("-j", "--jobs") { Description = "Local pool: trials at once (default: cores ÷ threads)" };
        var slurm = new Option<bool>("--slurm") { Description = "Submit a Slurm job array (sbatch --array, one task per trial)" };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition" };
        var parallel = new Option<int?>("--parallel") { Description = "Slurm: at most K array tasks at once (--array=…%K)" };
        var time = new Option<string?>("--time") { Description = "Slurm: time limit per trial (e.g. 30:00); trials checkpoint 90 s before it" };
        var mem = new Option<string?>("--mem") { Description = "Slurm: memory per trial (e.g. 4G)" };
        var wait = new Option<bool>("--wait") { Description = "Slurm: wait for the array to end; exit non-zero unless every trial completed" };
        var extra = new Option<string[]>("--sbatch-option") { Description = "Slurm: further #SBATCH directive (repeatable), e.g. --sbatch-option=--account=lab" };
        var sbatch = new Option<string>("--sbatch") { Description = "Slurm: the sbatch program", DefaultValueFactory = _ => "sbatch" };
        var print = new Option<bool>("--print") { Description = "Write the per-trial commands to DIR/commands.txt (and stdout) for any other scheduler" };
        var threads = TrialThreadsOption();
        var every = CheckpointEveryOption();
        cmd.Arguments.Add(dir);
        foreach (var o in new Option[] { local, jobs, slurm, partition, parallel, time, mem, wait, extra, sbatch, print, threads, every }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            int backends = (r.GetValue(local) ? 1 : 0) + (r.GetValue(slurm) ? 1 : 0) + (r.GetValue(print) ? 1 : 0);
            if (backends != 1) throw new Noether.Experiments.ConfigException("choose exactly one backend: --local, --slurm or --print");
            var manifest = SweepManifest.Load(r.GetValue(dir)!);
            int t = r.GetValue(threads);
            if (t < 1) throw new Noether.Experiments.ConfigException($"--threads {t}: expected an integer ≥ 1");
            var command = Self(t, CheckpointEvery(r, every));
            if (r.GetValue(print))
            {
                var lines = TrialStatus.Of(manifest).Where(s => s.State != TrialState.Completed).Select(s => command.ShellLine(manifest.Directory, s.Trial.Index)).ToList();
                string file = Path.Combine(manifest.Directory, "commands.txt");
                File.WriteAllLines(file, lines);
                foreach (var l in lines) Console.WriteLine(l);
                Console.Error.WriteLine($"{lines.Count} commands written to {file}");
                return Commands.Ok;
            }
            if (r.GetValue(local))
            {
                int j = r.GetResult(jobs) is null ? Math.Max(1, Environment.ProcessorCount / t) : r.GetValue(jobs);
                var stop = new Noether.Experiments.StopSignal();
                using var signals = StopSignals.Register(stop);
                bool all = LocalPool.Run(manifest, command, j, Console.Out, stop);
                WriteReport(manifest, []);
                return all ? Commands.Ok : Commands.ClaimsFailed;
            }
            var options = new SlurmOptions
            {
                Partition = r.GetValue(partition), Parallel = r.GetValue(parallel), Time = r.GetValue(time), Mem = r.GetValue(mem),
                Wait = r.GetValue(wait), Extra = r.GetValue(extra) ?? [], Sbatch = r.GetValue(sbatch)!,
            };
            bool ok = SlurmBackend.Submit(manifest, command, options, Console.Out);
            if (options.Wait) WriteReport(manifest, []);
            return ok ? Commands.Ok : Commands.ClaimsFailed;
        });
        return cmd;
    }

    private static Command StatusCommand()
    {
        var cmd = new Command("status", "List the trials of a sweep as completed, running, interrupted, failed, missing or corrupt, read from their folders.");
        var dir = DirArgument();
        var allow = AllowCorruptOption();
        cmd.Arguments.Add(dir);
        cmd.Options.Add(allow);
        cmd.SetAction(r =>
        {
            var manifest = SweepManifest.Load(r.GetValue(dir)!);
            var statuses = TrialStatus.Of(manifest);
            var table = new Table().AddColumns("#", "trial", "status", "claims", "seconds", "note");
            foreach (var s in statuses)
            {
                var rec = s.Record;
                string note = s.State switch
                {
                    TrialState.Completed => rec!.ResumedFrom.Count > 0 ? $"resumed {rec.ResumedFrom.Count}×" : "",
                    TrialState.Interrupted or TrialState.Failed => (rec?.Error ?? "worker gone") + (s.HasCheckpoint ? " [checkpoint]" : ""),
                    TrialState.Corrupt => s.Problem ?? "",
                    _ => "",
                };
                table.AddRow(s.Trial.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(s.Trial.Name), Colour(s.State),
                    rec is { Claims.Count: > 0 } ? $"{rec.Claims.Count(c => c.Passed)}/{rec.Claims.Count}" : "",
                    rec?.Seconds is { } sec ? sec.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : "", Markup.Escape(note));
            }
            AnsiConsole.Write(table);
            Console.WriteLine(string.Join(", ", Enum.GetValues<TrialState>().Reverse().Select(st => $"{statuses.Count(s => s.State == st)} {st.ToString().ToLowerInvariant()}")));
            return CorruptExit(statuses, r.GetValue(allow), Commands.Ok);
        });
        return cmd;
    }

    private static string Colour(TrialState s) => s switch
    {
        TrialState.Completed => "[green]completed[/]",
        TrialState.Running => "[blue]running[/]",
        TrialState.Failed => "[red]failed[/]",
        TrialState.Interrupted => "[yellow]interrupted[/]",
        TrialState.Corrupt => "[red]corrupt[/]",
        _ => "[grey]missing[/]",
    };

    private static Command CollectCommand()
    {
        var cmd = new Command("collect", "Merge every trial's run.json and metrics into DIR/sweep.db (SQLite: trials, configs, claims, metrics, summary) and print the summary.");
        var dir = DirArgument();
        var allow = AllowCorruptOption();
        cmd.Arguments.Add(dir);
        cmd.Options.Add(allow);
        cmd.SetAction(r =>
        {
            var manifest = SweepManifest.Load(r.GetValue(dir)!);
            var summary = SweepCollector.Collect(manifest);
            var table = new Table().AddColumns("point", "claim", "passed", "mean", "min", "max");
            string F(double? v) => v is { } x ? Noether.Experiments.Claim.Format(x) : "";
            foreach (var row in summary)
                table.AddRow(Markup.Escape(row.Point), Markup.Escape(row.Claim), $"{row.Passed}/{row.Trials}", F(row.Mean), F(row.Min), F(row.Max));
            AnsiConsole.Write(table);
            string db = Path.Combine(manifest.Directory, SweepCollector.FileName);
            var (trials, completed, claims, metrics) = SweepCollector.Counts(db);
            Console.WriteLine($"sweep.db: {trials} trials, {completed} completed, {claims} claims, {metrics} metric rows ({db})");
            return CorruptExit(TrialStatus.Of(manifest), r.GetValue(allow), Commands.Ok);
        });
        return cmd;
    }

    private static Command ReportCommand()
    {
        var cmd = new Command("report", "Write DIR/report.html: every claim (and chosen metric) against each sweep axis, the pass rate over two axes, links to each trial's report.");
        var dir = DirArgument();
        var metric = new Option<string[]>("--metric") { Description = "Also plot this metric's final value against the axes (repeatable; 'name' or 'layer/name')" };
        var format = Noether.Cli.ReportCommand.FigureFormatOption();
        cmd.Arguments.Add(dir);
        cmd.Options.Add(metric);
        cmd.Options.Add(format);
        cmd.SetAction(r =>
        {
            Noether.Cli.ReportCommand.Formats = FigureFormat.Parse(r.GetValue(format));
            WriteReport(SweepManifest.Load(r.GetValue(dir)!), r.GetValue(metric) ?? []);
            return Commands.Ok;
        });
        return cmd;
    }

    /// <summary>Writes the sweep's report.html and says where; also used by `noether report DIR` on a sweep folder.</summary>
    public static void WriteReport(SweepManifest manifest, IReadOnlyList<string> metrics)
    {
        var output = Noether.Reports.SweepReport.Build(manifest, metrics, Noether.Cli.ReportCommand.Formats);
        WriteHparamsExperiment(manifest);
        AnsiConsole.MarkupLine($"sweep report: [blue]{Markup.Escape(output.ReportPath)}[/] ({output.Completed}/{output.Trials} trials completed, {output.Plots.Count} figures)");
    }

    /// <summary>
    /// TensorBoard's hparams experiment for `tensorboard --logdir DIR/trials`: the swept keys and the seed with
    /// their values, and the claims of the completed trials as metrics (each trial's run is a session).
    /// </summary>
    public static void WriteHparamsExperiment(SweepManifest manifest)
    {
        var axes = manifest.AxisKeys
            .Select(k => (k, (IReadOnlyList<System.Text.Json.Nodes.JsonNode?>)manifest.Trials.Select(t => t.Axes[k]?.DeepClone()).ToList()))
            .Append(("seed", manifest.Trials.Select(t => (System.Text.Json.Nodes.JsonNode?)t.Seed).ToList()))
            .ToList();
        var claims = TrialStatus.Of(manifest).Where(s => s.Record is not null).SelectMany(s => s.Record!.Claims.Select(c => c.Id)).Distinct().ToList();
        Noether.Runs.TensorBoardHparams.WriteExperiment(Path.Combine(manifest.Directory, SweepManifest.TrialsFolder),
            $"{manifest.Experiment} sweep over {string.Join(" × ", manifest.AxisKeys)}", axes, claims, DateTimeOffset.Now);
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
            var settings = new Noether.Experiments.CheckpointSettings { EverySeconds = CheckpointEvery(r, every) };
            using var signals = StopSignals.Register(settings.Stop);
            var (outcome, record) = TrialRunner.Run(manifest, i, r.GetValue(threads), settings);
            // A trial is a run like any other: it gets its plots and report.html when it completes.
            if (outcome == TrialOutcome.Completed) Noether.Cli.ReportCommand.WriteAfterRun(manifest.TrialDirectory(trial));
            string claims = record is null ? "" : $", {Noether.Experiments.ClaimCounts.Of(record.Claims.Select(Noether.Experiments.ExperimentRunner.FromRecord))}";
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
