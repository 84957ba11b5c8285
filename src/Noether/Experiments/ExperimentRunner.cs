using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Noether.Runs;

namespace Noether.Experiments;

/// <summary>What the user asked for: profile, seed, overrides, output folder, threads.</summary>
public sealed record RunRequest(string ExperimentId)
{
    public string Profile { get; init; } = "quick";
    public long Seed { get; init; } = 1;
    public IReadOnlyList<string> Sets { get; init; } = [];
    public string? ConfigFile { get; init; }
    /// <summary>A resolved config to apply after the profile (a resumed run's, from its run.json).</summary>
    public JsonObject? ConfigJson { get; init; }
    /// <summary>Exact run folder; null makes runs/&lt;id&gt;-&lt;timestamp&gt;-&lt;seed&gt; under <see cref="RunsRoot"/>.</summary>
    public string? OutputDirectory { get; init; }
    public string RunsRoot { get; init; } = "runs";
    public int Threads { get; init; } = 1;
    /// <summary>
    /// Checkpoint the run and resume it from the checkpoint left in <see cref="OutputDirectory"/> by an
    /// earlier attempt of the same run; null runs from scratch without checkpoints.
    /// </summary>
    public CheckpointSettings? Checkpoints { get; init; }
    /// <summary>`run --resume`: the folder must hold a checkpoint of this run; anything else is a user error naming the file.</summary>
    public bool Resume { get; init; }
    /// <summary>Replace a completed run already in <see cref="OutputDirectory"/>; without it such a folder is refused.</summary>
    public bool Force { get; init; }
    /// <summary>Tensors to write as NPY files under tensors/ (`--export`); null exports nothing.</summary>
    public ExportRequest? Export { get; init; }
}

public sealed record RunResult(RunRecord Record, string Directory, IReadOnlyList<Claim> Claims, IReadOnlyList<Figure> Figures)
{
    public bool AllPassed => Record.Status == RunStatus.Completed && Claims.All(c => c.Passed);
}

/// <summary>
/// Resolves and validates the config (profile → config file → --set overrides) before anything runs,
/// creates the run folder, runs the experiment and writes run.json atomically at start and end.
/// </summary>
public static class ExperimentRunner
{
    public static string Version => BuildInfo.Version;

    /// <summary>Builds and validates the config of a request; throws <see cref="ConfigException"/> on any user mistake.</summary>
    public static object ResolveConfig(IExperiment experiment, RunRequest request)
    {
        TensorExport.Check(experiment, request.Export);
        var config = experiment.CreateConfig(request.Profile);
        if (request.ConfigFile is not null) ConfigBinder.ApplyJsonFile(config, request.ConfigFile);
        if (request.ConfigJson is not null) ConfigBinder.ApplyJson(config, request.ConfigJson);
        foreach (var s in request.Sets) ConfigBinder.Set(config, s);
        ConfigBinder.Validate(config);
        TrainedConfig.CheckHonoured(experiment.Id, experiment.CreateConfig(request.Profile), config);
        if (config is IMemoryEstimate sized)
        {
            var (bytes, because) = sized.EstimateMemory();
            long limit = MemoryLimit.Bytes;
            if (bytes > limit)
                throw new ConfigException($"this config needs an estimated {MemoryLimit.Text(bytes)} ({because}), more than the memory limit of {MemoryLimit.Text(limit)}; reduce those sizes, or raise the limit with {MemoryLimit.Variable}=<bytes, e.g. 16G>");
        }
        return config;
    }

    public static RunResult Run(RunRequest request, IRunProgress? progress = null, CancellationToken cancel = default)
    {
        var experiment = Registry.Get(request.ExperimentId);
        if (request.Threads < 1) throw new ConfigException($"--threads {request.Threads}: expected an integer ≥ 1");
        var config = ResolveConfig(experiment, request);
        var started = DateTimeOffset.Now;
        string dir = request.OutputDirectory ?? Path.Combine(request.RunsRoot,
            $"{experiment.Id}-{started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{request.Seed}");
        if (request.OutputDirectory is null && Directory.Exists(dir))
            dir += "-" + Guid.NewGuid().ToString("N")[..6];
        bool created = OutputFolder.Claim(dir);
        var configJson = ConfigBinder.ToJson(config);
        RunCheckpoints checkpoints;
        try
        {
            checkpoints = request.Checkpoints is null
                ? new RunCheckpoints()
                : request.Force && !request.Resume
                    ? RunCheckpoints.Fresh(dir, request.Checkpoints, experiment.Id, configJson.ToJsonString())
                    : RunCheckpoints.Open(dir, request.Checkpoints, experiment.Id, configJson.ToJsonString(), request.Seed, request.Resume);
            if (!checkpoints.Resuming) RefuseCompleted(dir, request.Force);
        }
        catch when (created)
        {
            OutputFolder.Remove(dir, created);
            throw;
        }
        RunRecord record;
        if (checkpoints.Resuming)
        {
            record = RunRecord.Load(dir);
            record.Status = RunStatus.Running;
            record.Error = null;
            record.Threads = request.Threads;
            record.ResumedFrom.Add(checkpoints.ResumedFrom!);
        }
        else
        {
            // A rerun into the same folder starts clean: stale metrics, figures or checkpoints must not pass for this run's.
            // Only what Noether writes is removed; the folder holds the marker, so these are its own outputs.
            OutputFolder.Remove(dir, false, [.. OwnFiles, "error.txt", "extra.json", RunCheckpoints.FileName]);
            OutputFolder.ClearSubfolder(dir, "plots", "*.png");
            OutputFolder.ClearSubfolder(dir, "tensorboard", "events.out.tfevents.*");
            OutputFolder.ClearSubfolder(dir, RunContext.TensorFolder, "*.npy");
            OutputFolder.ClearSubfolder(dir, RunContext.TensorFolder, TensorExport.IndexFile);
            record = new RunRecord
            {
                Experiment = experiment.Id,
                Title = experiment.TitleOf(config),
                // A study reproduces no paper: its record has none (reports and summaries then show no paper line).
                Paper = experiment.Paper.ArxivId.Length == 0 ? null : new PaperRecord(experiment.Paper.Title, experiment.Paper.Authors, experiment.Paper.ArxivId),
                Profile = request.Profile,
                Seed = request.Seed,
                Config = configJson,
                Version = Version,
                Commit = BuildInfo.Commit,
                Dirty = BuildInfo.Dirty,
                Threads = request.Threads,
                Machine = $"{Environment.MachineName}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}",
                Started = started,
                Status = RunStatus.Running,
            };
            AtomicFile.WriteAllText(Path.Combine(dir, "config.json"), record.Config.ToJsonString(RunRecord.Json));
        }
        record.Save(dir);

        string metricsPath = Path.Combine(dir, "metrics.csv");
        using var metrics = checkpoints.Resuming ? MetricsWriter.Resume(metricsPath, checkpoints.MetricsLength) : MetricsWriter.Open(metricsPath);
        // A stop signal ends a phase that trains through step safe points at the next one (with a checkpoint there);
        // any other phase is cancelled at once, and the checkpoint at its start (or the last one before) is what remains.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using var onStop = request.Checkpoints?.Stop.OnRequest(() => { if (!checkpoints.CurrentSavesSteps) stop.Cancel(); });
        var context = new RunContext(request.Seed, request.Profile, request.Threads, metrics, dir, progress, stop.Token) { Checkpoints = checkpoints, Export = new TensorExport(request.Export, dir), Probes = (config as TrainedConfig)?.Probes ?? new() };
        // run.json lists each population's members as soon as it is registered, so an unfinished run says what it trains.
        context.PopulationAdded += () =>
        {
            record.Members = context.Populations.SelectMany(p => p.Members()).ToList();
            record.Save(dir);
        };
        checkpoints.Bind(context);
        checkpoints.SaveStart();
        // TensorBoard follows the metrics live, members named by the populations the experiment declares;
        // a resumed run first gets the rows it keeps from before.
        if (checkpoints.Resuming) TensorBoardExport.Write(dir, metrics.Rows, new MemberLabels(record.Members), record.Started);
        using var board = TensorBoardLive.Attach(dir, metrics,
            (phase, member) => context.Populations.FirstOrDefault(p => p.Phase == phase) is { } population && member < population.Count ? population.Label(member) : $"member-{member}");
        // TensorBoard's hparams plugin: this run is a session whose hyper-parameters are its config and seed.
        using var session = TensorBoardHparams.Start(dir, record.Config, request.Seed, DateTimeOffset.Now);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<Claim> claims = [];
        Exception? mistake = null;
        try
        {
            claims = experiment.Run(config, context);
            context.Export.Finish();
            ProbeFigures.Add(context);
            record.Status = RunStatus.Completed;
        }
        catch (OperationCanceledException)
        {
            record.Status = RunStatus.Interrupted;
            record.Error = checkpoints.LastSaved is { } at
                ? $"stopped{(request.Checkpoints!.Stop.Reason is { } why ? " by " + why : "")}; checkpoint at {at}; continue with: noether run --resume {dir}"
                : "interrupted before the end of the run";
        }
        catch (Exception e) when (IsUserMistake(e) && !checkpoints.Resuming)
        {
            mistake = e;
        }
        catch (OutOfMemoryException e)
        {
            record.Status = RunStatus.Failed;
            record.Error = "out of memory: the run asked for more memory than the process could get (reduce the sizes in the config, or run on a machine with more memory)";
            File.WriteAllText(Path.Combine(dir, "error.txt"), e.ToString());
        }
        catch (Exception e)
        {
            record.Status = RunStatus.Failed;
            record.Error = $"{e.GetType().Name}: {e.Message}";
            File.WriteAllText(Path.Combine(dir, "error.txt"), e.ToString());
        }
        finally
        {
            metrics.Flush();
        }
        if (mistake is not null)
        {
            // A mistake in the user's input found only while running (e.g. a data file): exit 2, no folder that looks like a run.
            metrics.Dispose();
            board.Dispose();
            session.Dispose();
            // Live TensorBoard files and exported tensors are this run's own too: none may outlive the mistake.
            OutputFolder.ClearSubfolder(dir, TensorBoardExport.Folder, "events.out.tfevents.*");
            OutputFolder.ClearSubfolder(dir, RunContext.TensorFolder, "*.npy");
            OutputFolder.ClearSubfolder(dir, RunContext.TensorFolder, TensorExport.IndexFile);
            OutputFolder.Remove(dir, created, [.. OwnFiles, RunCheckpoints.FileName]); // the start checkpoint is this run's too
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(mistake);
        }
        record.Finished = DateTimeOffset.Now;
        record.Seconds = checkpoints.SecondsBefore + sw.Elapsed.TotalSeconds;
        record.Timings = new Dictionary<string, double>(context.Timings) { ["total"] = record.Seconds.Value };
        record.Claims = claims.Select(ToRecord).ToList();
        record.Members = context.Populations.SelectMany(p => p.Members()).ToList();
        record.Figures = context.Figures.Select(f => f.Id).ToList();
        if (context.Figures.Count > 0)
            AtomicFile.WriteAllText(Path.Combine(dir, "figures.json"), JsonSerializer.Serialize(context.Figures, RunRecord.Json));
        if (context.Extra.Count > 0)
            AtomicFile.WriteAllText(Path.Combine(dir, "extra.json"), JsonSerializer.Serialize(context.Extra, RunRecord.Json));
        record.Save(dir);
        session.End(claims.Select(c => (c.Id, c.Measured)), record.Status == RunStatus.Completed, record.Finished.Value);
        if (record.Status == RunStatus.Completed) checkpoints.Delete();
        return new RunResult(record, dir, claims, context.Figures);
    }

    /// <summary>The files a run writes at its top level, removed when a rerun starts or a user mistake ends it.</summary>
    private static readonly string[] OwnFiles = ["run.json", "config.json", "metrics.csv", "figures.json", "report.html"];

    /// <summary>Errors whose cause is the user's input, not Noether: reported as exit 2, not as a failed run.</summary>
    public static bool IsUserMistake(Exception e) => e is ConfigException or Noether.Data.DataException or Noether.Tensors.TensorSizeException;

    /// <summary>
    /// Refuses, before anything is printed or written, an output folder the run could not use: a file, a
    /// folder of someone else's files, or a completed run without --force. A request without an explicit
    /// folder always gets a new one.
    /// </summary>
    public static void CheckOutput(RunRequest request)
    {
        if (request.OutputDirectory is not { } dir) return;
        OutputFolder.Check(dir);
        if (Directory.Exists(dir) && !File.Exists(Path.Combine(dir, RunCheckpoints.FileName))) RefuseCompleted(dir, request.Force);
    }

    /// <summary>A completed run is only replaced when asked with --force.</summary>
    private static void RefuseCompleted(string dir, bool force)
    {
        if (force || !File.Exists(Path.Combine(dir, "run.json"))) return;
        RunRecord previous;
        try { previous = RunRecord.Load(dir); }
        catch (UnreadableFileException) { return; } // an unreadable record of Noether's own holds no result worth keeping
        if (previous.Status == RunStatus.Completed)
            throw new ConfigException($"--out '{dir}' holds a completed run of {previous.Experiment} (seed {previous.Seed}); pass --force to replace it, or choose another folder");
    }

    public static ClaimRecord ToRecord(Claim c) => new(
        c.Id, c.Kind, c.Statement, double.IsFinite(c.Measured) ? c.Measured : null, c.ComparisonText,
        new ThresholdRecord(c.Low, c.High), c.Passed, c.Details);

    public static Claim FromRecord(ClaimRecord r) =>
        Claim.FromStored(r.Id, r.Kind ?? ClaimKind.Claim, r.Statement, r.Measured ?? double.NaN, r.Comparison, r.Threshold?.Low, r.Threshold?.High, r.Details);
}
