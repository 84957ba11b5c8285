using System.CommandLine;
using System.Globalization;
using Noether.Experiments;
using Noether.Runs;
using Noether.Tensors;
using Spectre.Console;

namespace Noether.Cli;

/// <summary>The `noether` command line: list, run, reproduce. User errors exit 2 with one line.</summary>
public static class Commands
{
    public const int Ok = 0, ClaimsFailed = 1, UserError = 2, InternalError = 3;

    public static int Main(string[] args)
    {
        // Logs and pipes get wide tables rather than the 80-column default of a terminal-less console.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            Error(Suggestions.Describe(parse));
            return UserError;
        }
        try
        {
            // Experiments, probes and rules of other assemblies register before any command looks a name up.
            foreach (var assembly in parse.GetValue<string[]>("--assembly") ?? []) Plugins.Load(assembly);
            // Signals are handled by the commands themselves (Interrupt, StopSignals), so a run is saved as interrupted.
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (Exception e) when (IsUserError(e))
        {
            Error(e.Message);
            return UserError;
        }
        catch (Exception e)
        {
            string log = Path.Combine(Path.GetTempPath(), $"noether-crash-{Environment.ProcessId}.txt");
            File.WriteAllText(log, e.ToString());
            Error($"internal error: {e.GetType().Name}: {e.Message.Split('\n')[0]} (details in {log})");
            return InternalError;
        }
    }

    /// <summary>
    /// <c>--assembly PATH</c> (repeatable, any command): a .NET assembly whose experiments, probes, rules and building blocks
    /// register before the command runs (<see cref="Plugins"/>); <c>sweep plan</c> records it in the manifest for the trials.
    /// </summary>
    private static Option<string[]> AssemblyOption() => new("--assembly")
    {
        Description = "Load a .NET assembly (.dll) that defines experiments, probes or rules, and register them (repeatable; a sweep planned with it records it for its trials).",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public static bool IsUserError(Exception e) =>
        e is ConfigException or Noether.Data.DataException or ShapeMismatchException or FileNotFoundException or DirectoryNotFoundException
          or FormatException or InvalidDataException or ArgumentException or OutputFolderException or UnreadableFileException or UnauthorizedAccessException or PathTooLongException;

    public static void Error(string message) => Console.Error.WriteLine("noether: error: " + message.ReplaceLineEndings(" "));

    public static RootCommand Build()
    {
        var root = new RootCommand("Noether: a laboratory for the learning dynamics of neural networks. Reproduces ten papers' claims with measured numbers.");
        root.Options.Add(AssemblyOption());
        root.Subcommands.Add(ListCommand());
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(ReproduceCommand());
        root.Subcommands.Add(MetricCommandLine.Build());
        root.Subcommands.Add(ReportCommand.Build());
        root.Subcommands.Add(SweepCommand.Build());
        root.Subcommands.Add(Robustness.SummarizeCommand());
        // --version says which code this is, as run.json does: version, git commit and whether the tree was dirty; -V as well.
        foreach (var version in root.Options.OfType<VersionOption>())
        {
            version.Action = new PrintVersion();
            version.Aliases.Add("-V");
        }
        return root;
    }

    private static Command ListCommand()
    {
        var cmd = new Command("list", "List the experiments with their papers and claims ('list metrics': the metrics of 'noether metric'; 'list probes': the training probes of --set probes=…; 'list rules': the learning rules of --set rule=…; 'list initializers|optimizers|schedules|activations': the building blocks a config names).");
        var what = new Argument<string?>("what") { Description = "experiments (default), metrics, probes, rules, initializers, optimizers, schedules or activations", Arity = ArgumentArity.ZeroOrOne };
        what.AcceptOnlyFromAmong("experiments", "metrics", "probes", "rules", "initializers", "optimizers", "schedules", "activations");
        var keys = new Option<string?>("--keys") { Description = "Also list every config key of this experiment with its default and allowed range." };
        cmd.Arguments.Add(what);
        cmd.Options.Add(keys);
        cmd.SetAction(r =>
        {
            var id = r.GetValue(keys);
            if (id is not null) { PrintKeys(Registry.Get(id)); return Ok; }
            if (r.GetValue(what) == "probes")
            {
                var probes = new Table().AddColumns("probe", "what it measures", "source", "options (probes.<probe>.<option>)");
                foreach (var p in Noether.Probes.ProbeRegistry.All)
                    probes.AddRow(Markup.Escape(p.Name), Markup.Escape(p.Description), Markup.Escape(p.Source), Markup.Escape(string.Join("\n", p.Options.Select(o => o.Summary))));
                AnsiConsole.Write(probes);
                Console.WriteLine("Attach with --set probes=NAME[,NAME…] (probes.every, probes.layers) to any trained experiment, and set a probe's option with --set probes.<probe>.<option>=V (e.g. probes.crh.layer=1); values are metrics.csv rows named probe.<metric>.");
                return Ok;
            }
            if (r.GetValue(what) == "rules")
            {
                var rules = new Table().AddColumns("rule", "what it does");
                foreach (var rule in Noether.Learning.Rules.RuleRegistry.All)
                    rules.AddRow(Markup.Escape(rule.Name), Markup.Escape(rule.Description));
                AnsiConsole.Write(rules);
                Console.WriteLine("Choose with --set rule=NAME in any trained experiment (docs/rules.md, docs/training.md).");
                return Ok;
            }
            switch (r.GetValue(what))
            {
                case "initializers":
                    return ListDefinitions(Definitions<Noether.Nn.InitializerDefinition>.All, "initializer", "Choose with model.init in a study (docs/studies.md); scripts call Initializer.Parse(NAME).");
                case "optimizers":
                    return ListDefinitions(Definitions<Noether.Learning.OptimizerDefinition>.All, "optimizer", "Choose with --set optimizer=NAME (optimizer.name) in any trained experiment, with its keys optimizer.momentum or optimizer.beta1/beta2/epsilon (docs/training.md); scripts call Optimizers.Create<T>(NAME, …).");
                case "schedules":
                    return ListDefinitions(Definitions<Noether.Learning.ScheduleDefinition>.All, "schedule", "Choose with --set optimizer.schedule=FORM in any trained experiment; '+' multiplies forms (e.g. warmup:100+step:1000:0.5).");
                case "activations":
                    return ListDefinitions(Definitions<Noether.Nn.ActivationDefinition>.All, "activation", "Choose with model.activation in a study (docs/studies.md); scripts pass NAME to Mlp.Build.");
            }
            if (r.GetValue(what) == "metrics")
            {
                var metrics = new Table().AddColumns("metric", "platonic-rep name", "rows by default", "what it measures");
                foreach (var (name, alias, normalize, meaning) in Noether.Probes.MetricCommand.Defaults)
                    metrics.AddRow(Markup.Escape(name), Markup.Escape(alias), Markup.Escape(normalize), Markup.Escape(meaning));
                AnsiConsole.Write(metrics);
                Console.WriteLine("--normalize none|l2|prh overrides the default for every metric; prh is platonic-rep's measure_alignment pipeline (clip at the 0.95 quantile of |value|, then unit rows).");
                return Ok;
            }
            var table = new Table().AddColumns("id", "paper", "arXiv", "claims");
            foreach (var e in Registry.All)
                table.AddRow(Markup.Escape(e.Id), Markup.Escape(e.Paper.Title), e.Paper.ArxivId, Markup.Escape(e.Summary));
            AnsiConsole.Write(table);
            foreach (var e in Registry.Studies)
                Console.WriteLine($"{e.Id}: {e.Summary}");
            return Ok;
        });
        return cmd;
    }

    /// <summary>One registry of building blocks as a table (name, aliases, what it is, options) and a line on where it is used.</summary>
    private static int ListDefinitions<TDefinition>(IReadOnlyList<TDefinition> all, string what, string usage) where TDefinition : Definition
    {
        var table = new Table().AddColumns(what, "also accepted", "what it is", "options");
        foreach (var d in all)
            table.AddRow(Markup.Escape(d is Noether.Learning.ScheduleDefinition s ? s.Syntax : d.Name), Markup.Escape(string.Join(", ", d.Aliases)), Markup.Escape(d.Description), Markup.Escape(d.Options));
        AnsiConsole.Write(table);
        Console.WriteLine(usage);
        return Ok;
    }

    private static void PrintKeys(IExperiment e)
    {
        var quick = e.CreateConfig("quick");
        var full = ConfigBinder.Describe(e.CreateConfig("full")).ToDictionary(d => d.Key, d => d.Value);
        var table = new Table().AddColumns("key", "type", "quick", "full", "allowed", "meaning");
        foreach (var (key, type, value, param) in ConfigBinder.Describe(quick))
            table.AddRow(Markup.Escape(key), Markup.Escape(IsPath(key, type) ? "path" : TypeName(type)), Markup.Escape(Show(value)), Markup.Escape(Show(full.GetValueOrDefault(key))),
                Markup.Escape(Allowed(type, param)), Markup.Escape(param?.Description ?? ""));
        AnsiConsole.Write(table);
        static string Show(object? v) => v is Array a ? string.Join(",", a.Cast<object>().Select(x => Convert.ToString(x, CultureInfo.InvariantCulture))) : Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>A text key that names a file or folder (data.dir, …).</summary>
    private static bool IsPath(string key, Type type) =>
        type == typeof(string) && (key.EndsWith("dir", StringComparison.Ordinal) || key.EndsWith("path", StringComparison.Ordinal) || key.EndsWith("file", StringComparison.Ordinal));

    /// <summary>What a key holds, in words a user types: integer, number, text, "list of numbers", ….</summary>
    public static string TypeName(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsArray) return "list of " + TypeName(t.GetElementType()!) + "s";
        if (typeof(System.Text.Json.Nodes.JsonNode).IsAssignableFrom(t)) return "JSON";
        if (t == typeof(bool)) return "true|false";
        if (t == typeof(int) || t == typeof(long)) return "integer";
        if (t == typeof(double) || t == typeof(float)) return "number";
        if (t.IsEnum) return "choice";
        return "text";
    }

    /// <summary>
    /// The allowed values of a key: its choices, or a numeric range (one side open when unbounded),
    /// "any" for unbounded numbers and for free text (a path or a name), never "[-∞, ∞]".
    /// </summary>
    public static string Allowed(Type type, ParamAttribute? param)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsArray) t = t.GetElementType()!;
        if (param?.Allowed is { } one) return string.Join("|", one);
        if (t.IsEnum) return string.Join("|", Enum.GetNames(t).Select(n => n.ToLowerInvariant()));
        if (t == typeof(bool) || t == typeof(string) || param is null) return "any";
        bool low = double.IsFinite(param.Min), high = double.IsFinite(param.Max);
        return (low, high) switch
        {
            (true, true) => $"[{Fmt(param.Min)}, {Fmt(param.Max)}]",
            (true, false) => $"≥ {Fmt(param.Min)}",
            (false, true) => $"≤ {Fmt(param.Max)}",
            _ => "any",
        };
        static string Fmt(double v) => v.ToString(CultureInfo.InvariantCulture);
    }

    private static Option<string> ProfileOption() => new("--profile", "-p")
    {
        Description = "quick (≤ 60 s, what tests use) or full (paper scale)",
        DefaultValueFactory = _ => "quick",
    };

    private static Option<int> ThreadsOption() => new("--threads")
    {
        Description = "Threads for kernels and population members (1 is deterministic across machines)",
        DefaultValueFactory = _ => 1,
    };

    private static Option<bool> NoFailOption() => new("--no-fail") { Description = "Exit 0 after a complete run even if a claim failed" };

    private static Option<bool> ForceOption() => new("--force") { Description = "Replace a completed run already in the --out folder (without it such a folder is refused)" };

    private static Command RunCommand()
    {
        var cmd = new Command("run", "Run one experiment and check its claims; it checkpoints as it goes, and 'run --resume DIR' continues an interrupted run.");
        var id = new Argument<string?>("id") { Description = "Experiment id (see 'noether list'); optional with --resume", Arity = ArgumentArity.ZeroOrOne };
        var profile = ProfileOption();
        var seed = new Option<long>("--seed") { Description = "Run seed; population member i uses seed + i", DefaultValueFactory = _ => 1 };
        var sets = new Option<string[]>("--set") { Description = "Config override key=value (repeatable; dotted keys)", AllowMultipleArgumentsPerToken = false };
        var config = new Option<string?>("--config") { Description = "JSON file of config overrides" };
        var outDir = new Option<string?>("--out") { Description = "Run folder (default runs/<id>-<timestamp>-<seed>)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the interrupted run in this folder from its checkpoint (same results as an uninterrupted run)", HelpName = "DIR" };
        var every = SweepCommand.CheckpointEveryOption();
        var threads = ThreadsOption();
        var noFail = NoFailOption();
        var force = ForceOption();
        var seeds = Robustness.SeedsOption();
        var seedStep = Robustness.SeedStepOption();
        var export = new Option<string?>("--export") { Description = "Write tensors as .npy under tensors/: features, weights, feedback (comma-separated)" };
        var exportSteps = new Option<string?>("--export-steps") { Description = "Steps to export at: integers, 'end', 'every:N' (default 0,end)" };
        var exportLayers = new Option<string?>("--export-layers") { Description = "Dense layers to export: l1,l2,… (default all)" };
        var format = ReportCommand.FigureFormatOption();
        cmd.Arguments.Add(id);
        foreach (var o in new Option[] { profile, seed, sets, config, outDir, resume, every, threads, noFail, force, seeds, seedStep, export, exportSteps, exportLayers, format })
            cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            ReportCommand.Formats = Noether.Reports.FigureFormat.Parse(r.GetValue(format));
            var settings = new CheckpointSettings { EverySeconds = SweepCommand.CheckpointEvery(r, every) };
            RunRequest request;
            if (r.GetValue(resume) is { } dir)
            {
                bool Given(Option o) => r.GetResult(o) is { Implicit: false };
                if (Given(seeds)) throw new ConfigException("run: --seeds cannot be combined with --resume; resume each seed-<s> folder on its own");
                if (Given(export) || Given(exportSteps) || Given(exportLayers))
                    throw new ConfigException("run: --export cannot be combined with --resume (the phases done before the stop would be missing); export from a new run");
                var built = ResumeRequest.Build(dir, new ResumeRequest.Given(r.GetValue(id), Given(profile) ? r.GetValue(profile) : null,
                    Given(seed) ? r.GetValue(seed) : null, Given(sets), Given(config), Given(force), Given(outDir)), r.GetValue(threads), settings);
                if (built is null)
                {
                    Console.WriteLine($"{dir}: already completed; nothing to resume");
                    return Ok;
                }
                request = built;
            }
            else
            {
                request = new RunRequest(r.GetValue(id) ?? throw new ConfigException("run: expected an experiment id (see 'noether list'), or --resume DIR"))
                {
                    Profile = r.GetValue(profile)!,
                    Seed = r.GetValue(seed),
                    Sets = r.GetValue(sets) ?? [],
                    ConfigFile = r.GetValue(config),
                    OutputDirectory = r.GetValue(outDir),
                    Threads = r.GetValue(threads),
                    Force = r.GetValue(force),
                    Checkpoints = settings,
                    Export = r.GetValue(export) is { } kinds ? ExportRequest.Parse(kinds, r.GetValue(exportSteps), r.GetValue(exportLayers))
                        : r.GetValue(exportSteps) is not null || r.GetValue(exportLayers) is not null
                            ? throw new ConfigException("--export-steps and --export-layers need --export features,weights[,feedback]") : null,
                };
            }
            // Ctrl+C, SIGTERM and SIGUSR1 (a scheduler's warning) stop the run at its next safe point with a checkpoint
            // (or at once in a phase without step safe points, whose start was checkpointed): saved as interrupted, resumable.
            using var interrupt = Interrupt.Listen();
            using var link = interrupt.Token.Register(() => settings.Stop.Request(interrupt.Signal ?? "a signal"));
            if (r.GetValue(resume) is null && Robustness.SeedList(r, seeds, seedStep, request.Seed) is { } seedList)
                return Robustness.RunExperimentSeeds(request, seedList, interrupt, r.GetValue(noFail));
            var result = Execute(request, CancellationToken.None);
            if (interrupt.ExitCode is not null && result.Record.Status != RunStatus.Completed) return Interrupted(interrupt, [result]);
            ClaimTable.Print([result]);
            AnsiConsole.MarkupLine($"run folder: [blue]{Markup.Escape(result.Directory)}[/]");
            return ExitCode([result], r.GetValue(noFail));
        });
        return cmd;
    }

    private static Command ReproduceCommand()
    {
        var cmd = new Command("reproduce", "Run every paper's experiment (or --only some; --only study runs the built-in default study) and print one table of all claims.");
        var profile = ProfileOption();
        var only = new Option<string?>("--only") { Description = "Comma-separated experiment ids" };
        var outDir = new Option<string?>("--out") { Description = "Folder for the run folders and the summary (default runs/reproduce-<timestamp>)" };
        var seed = new Option<long>("--seed") { Description = "Run seed for every experiment", DefaultValueFactory = _ => 1 };
        var threads = ThreadsOption();
        var jobs = new Option<int>("--jobs")
        {
            Description = "Experiments run at once (default: one per core); every result is the same whatever the number",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var noFail = NoFailOption();
        var force = ForceOption();
        var seeds = Robustness.SeedsOption();
        var seedStep = Robustness.SeedStepOption();
        var format = ReportCommand.FigureFormatOption();
        foreach (var o in new Option[] { profile, only, outDir, seed, threads, jobs, noFail, force, seeds, seedStep, format }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            ReportCommand.Formats = Noether.Reports.FigureFormat.Parse(r.GetValue(format));
            using var interrupt = Interrupt.Listen();
            var cancel = interrupt.Token;
            var ids = r.GetValue(only)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                      ?? Registry.All.Select(e => e.Id).ToArray();
            foreach (var i in ids) Registry.Get(i);
            string prof = r.GetValue(profile)!;
            string dir = r.GetValue(outDir) ?? Path.Combine("runs", "reproduce-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            // Resolve every config first so a bad profile fails before hours of work.
            foreach (var i in ids) ExperimentRunner.ResolveConfig(Registry.Get(i), new RunRequest(i) { Profile = prof });
            if (r.GetValue(jobs) < 1) throw new ArgumentException($"--jobs {r.GetValue(jobs)}: expected at least 1");
            var seedList = Robustness.SeedList(r, seeds, seedStep, r.GetValue(seed));
            string SeedDir(long s) => seedList is null ? dir : Path.Combine(dir, Robustness.SeedFolder(s));
            RunRequest Request(string i, long s) => new(i) { Profile = prof, Seed = s, OutputDirectory = Path.Combine(SeedDir(s), i), Threads = r.GetValue(threads), Force = r.GetValue(force) };
            // Every experiment's folder is checked before the first one starts: a refusal never comes after minutes of work.
            OutputFolder.Check(dir);
            foreach (var s in seedList ?? [r.GetValue(seed)])
            {
                OutputFolder.Check(SeedDir(s));
                foreach (var i in ids) ExperimentRunner.CheckOutput(Request(i, s));
            }
            OutputFolder.Claim(dir);
            if (seedList is null)
                return ReproduceOnce(ids, dir, i => Request(i, r.GetValue(seed)), r.GetValue(jobs), interrupt, r.GetValue(noFail));
            return Robustness.RunSeeds(dir, seedList, s =>
            {
                OutputFolder.Claim(SeedDir(s));
                return RunAndSummarize(ids, SeedDir(s), i => Request(i, s), r.GetValue(jobs), interrupt.Token);
            }, interrupt, r.GetValue(noFail));
        });
        return cmd;
    }

    /// <summary>One reproduce pass into <paramref name="dir"/>: the runs, the summary, the index and the claims table.</summary>
    private static int ReproduceOnce(string[] ids, string dir, Func<string, RunRequest> request, int jobs, Interrupt interrupt, bool noFail)
    {
        var results = RunAndSummarize(ids, dir, request, jobs, interrupt.Token);
        if (interrupt.ExitCode is not null) return Interrupted(interrupt, results);
        ClaimTable.Print(results, statements: false);
        AnsiConsole.MarkupLine($"summary: [blue]{Markup.Escape(Path.Combine(dir, "summary.md"))}[/]");
        AnsiConsole.MarkupLine($"index: [blue]{Markup.Escape(Path.Combine(dir, Noether.Reports.IndexHtml.FileName))}[/]");
        return ExitCode(results, noFail);
    }

    /// <summary>Runs the experiments into <paramref name="dir"/> and writes its summary.md/json and index.html (also after an interruption).</summary>
    private static List<RunResult> RunAndSummarize(string[] ids, string dir, Func<string, RunRequest> request, int jobs, CancellationToken cancel)
    {
        var results = RunAll(ids, request, jobs, cancel);
        Summary.Write(dir, results);
        Noether.Reports.IndexHtml.Write(dir);
        return results;
    }

    /// <summary>
    /// Runs the experiments <paramref name="jobs"/> at a time, in the given order, and returns the results in that order.
    /// Each experiment owns its seeds and state, so running several at once changes timing only.
    /// </summary>
    private static List<RunResult> RunAll(string[] ids, Func<string, RunRequest> request, int jobs, CancellationToken cancel)
    {
        if (jobs == 1)
            return ids.TakeWhile(_ => !cancel.IsCancellationRequested).Select((i, k) => Execute(request(i), cancel, (k, ids.Length))).ToList();
        var results = new RunResult?[ids.Length];
        int next = -1;
        Exception? failure = null;
        var workers = Enumerable.Range(0, Math.Min(jobs, ids.Length)).Select(_ => new Thread(() =>
        {
            for (int k; !cancel.IsCancellationRequested && Volatile.Read(ref failure) is null && (k = Interlocked.Increment(ref next)) < ids.Length;)
            {
                try { results[k] = Execute(request(ids[k]), cancel, live: false); }
                catch (Exception e) { Interlocked.CompareExchange(ref failure, e, null); }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return results.OfType<RunResult>().ToList();
    }

    /// <summary>After SIGINT/SIGTERM: one clear line on stderr (no claims table: an interrupted run has none) and exit 130/143.</summary>
    internal static int Interrupted(Interrupt interrupt, IReadOnlyList<RunResult> results)
    {
        var stopped = results.Where(r => r.Record.Status == RunStatus.Interrupted).ToList();
        string folders = string.Join(", ", stopped.Select(r => r.Directory));
        bool resumable = stopped.Count == 1 && File.Exists(Path.Combine(stopped[0].Directory, RunCheckpoints.FileName));
        Error($"interrupted by {interrupt.Signal}: {(folders.Length > 0 ? folders + " saved with status interrupted" + (resumable ? " (resume with: noether run --resume " + folders + ")" : " (metrics so far kept)") : "no run was in progress")}"
            + (results.Count(r => r.Record.Status == RunStatus.Completed) is int done and > 0 ? $"; {done} run(s) completed before it" : ""));
        return interrupt.ExitCode!.Value;
    }

    internal static int ExitCode(IReadOnlyList<RunResult> results, bool noFail)
    {
        bool complete = results.All(r => r.Record.Status == RunStatus.Completed);
        if (!complete) return ClaimsFailed;
        return noFail || results.All(r => r.AllPassed) ? Ok : ClaimsFailed;
    }

    internal static RunResult Execute(RunRequest request, CancellationToken cancel, (int Done, int Total)? overall = null, bool live = true)
    {
        var experiment = Registry.Get(request.ExperimentId);
        ExperimentRunner.ResolveConfig(experiment, request); // user mistakes surface before any output
        ExperimentRunner.CheckOutput(request);
        live &= !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        RunResult? result = null;
        string position = overall is { } o ? $" [{o.Done + 1}/{o.Total}]" : "";
        if (live)
        {
            AnsiConsole.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new StepsColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    if (overall is { } all)
                        ctx.AddTask("experiments done", maxValue: all.Total).Value = all.Done;
                    result = ExperimentRunner.Run(request, new SpectreProgress(ctx), cancel);
                });
        }
        else
        {
            Console.WriteLine($"running {experiment.Id}{position} ({request.Profile}, seed {request.Seed})");
            result = ExperimentRunner.Run(request, new PlainProgress(Console.Out, experiment.Id), cancel);
        }
        var rec = result!.Record;
        string status = rec.Status == RunStatus.Completed
            ? $"completed in {rec.Seconds:0.0} s, {ClaimCounts.Of(result.Claims)}"
            : (rec.Error?.StartsWith(rec.Status, StringComparison.Ordinal) == true ? rec.Error : $"{rec.Status}: {rec.Error}") + $" after {rec.Seconds:0.0} s";
        Console.WriteLine($"{experiment.Id}: {status}");
        ReportCommand.WriteAfterRun(result.Directory);
        return result;
    }

    /// <summary>"steps done/total" of a phase, so a long run shows where it is, not only a percentage.</summary>
    private sealed class StepsColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Markup($"[grey]{task.Value.ToString("N0", CultureInfo.InvariantCulture)}/{task.MaxValue.ToString("N0", CultureInfo.InvariantCulture)}[/]");
    }

    private sealed class SpectreProgress(ProgressContext ctx) : IRunProgress
    {
        private readonly Dictionary<string, ProgressTask> _tasks = new();

        public void Report(string phase, long done, long total)
        {
            // Experiments may train several models at once (multimodal-alignment's encoders): one report at a time.
            lock (_tasks)
            {
                if (!_tasks.TryGetValue(phase, out var task))
                    _tasks[phase] = task = ctx.AddTask(Markup.Escape(phase), maxValue: Math.Max(1, total));
                task.Value = Math.Min(done, total);
                // A finished phase stops its clock; otherwise its elapsed time keeps growing while later phases run.
                if (done >= total) task.StopTask();
            }
        }
    }

    private sealed class PrintVersion : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            Console.WriteLine($"noether {BuildInfo.Text}");
            return Ok;
        }
    }
}
