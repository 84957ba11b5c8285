using System.Diagnostics;
using Noether.Runs;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>Raised by a signal handler (SIGTERM, SIGUSR1): checkpoint at the next safe point, then stop.</summary>
public sealed class StopSignal
{
    private volatile string? _reason;
    private event Action? Requested;

    public bool IsRequested => _reason is not null;
    /// <summary>What asked for the stop (e.g. "SIGTERM").</summary>
    public string? Reason => _reason;

    public void Request(string reason)
    {
        if (Interlocked.CompareExchange(ref _reason, reason, null) is null) Requested?.Invoke();
    }

    internal IDisposable OnRequest(Action action)
    {
        Requested += action;
        if (IsRequested) action();
        return new Unsubscribe(() => Requested -= action);
    }

    private sealed class Unsubscribe(Action undo) : IDisposable { public void Dispose() => undo(); }
}

/// <summary>How a run checkpoints: how often, and the stop signal its worker's signal handlers raise.</summary>
public sealed class CheckpointSettings
{
    /// <summary>Seconds between periodic checkpoints; 0 saves at every safe point.</summary>
    public double EverySeconds { get; init; } = 60;
    public StopSignal Stop { get; init; } = new();
    /// <summary>
    /// For tests: asked at every safe point with its label ("phase@step", or "phase@start" at a phase's
    /// start); returning true requests a stop there, as a signal would.
    /// </summary>
    public Func<string, bool>? StopAt { get; init; }
}

/// <summary>
/// A run's checkpoints. The run is a sequence of named phases (e.g. "balance.sgd"); a checkpoint
/// holds the results of the phases already done, the live state of the current one (trainer, the
/// experiment's own numbers) as of a safe point between two steps, the length metrics.csv had then,
/// and the run's timings. A resumed run skips the done phases (their results come from the
/// checkpoint), restores the current one and cuts metrics.csv back, so it ends bit for bit like an
/// uninterrupted run at the same thread count. Disabled (no folder, or not asked for), every call is
/// a no-op and every phase starts fresh.
/// </summary>
public sealed class RunCheckpoints
{
    public const string FileName = "checkpoint.bin";

    private readonly string? _path;
    private readonly CheckpointSettings? _settings;
    private readonly CheckpointState? _loaded;
    // Results of the phases done; a phase's results are written out when a checkpoint first needs them
    // (the last phase's never are: no checkpoint follows it).
    private readonly Dictionary<string, Lazy<CheckpointState>> _done = new(StringComparer.Ordinal);
    private readonly List<string> _doneOrder = [];
    private readonly HashSet<string> _begun = new(StringComparer.Ordinal);
    // Identity of the run, stored so that a checkpoint is only resumed by the same run.
    private readonly string? _experimentId, _configJson;
    private string? _loadedPhase;
    private long _nextDue;
    private RunContext? _context;

    /// <summary>Checkpoints off: phases always start fresh, safe points do nothing.</summary>
    public RunCheckpoints() { }

    private RunCheckpoints(string path, CheckpointSettings settings, CheckpointState? loaded, string experimentId, string configJson)
    {
        _path = path; _settings = settings; _loaded = loaded; _experimentId = experimentId; _configJson = configJson;
        if (loaded is null) return;
        foreach (var name in Lines(loaded.GetString("meta/done")))
        {
            var results = loaded.Sub($"done/{name}/");
            _done[name] = new Lazy<CheckpointState>(results);
            _doneOrder.Add(name);
        }
        _loadedPhase = loaded.GetString("meta/phase");
        if (_loadedPhase.Length == 0) _loadedPhase = null; // saved between two phases: nothing live to restore
        SecondsBefore = loaded.GetDouble("meta/seconds");
        ResumedFrom = _loadedPhase is not null ? Label(_loadedPhase, loaded.GetInt64("meta/step"))
            : loaded.Contains("meta/at") ? loaded.GetString("meta/at") : "start";
    }

    public bool Enabled => _path is not null;
    /// <summary>"phase@step" of the checkpoint this run resumed from, or null for a fresh run.</summary>
    public string? ResumedFrom { get; }
    /// <summary>"phase@step" of the last checkpoint this run wrote.</summary>
    public string? LastSaved { get; private set; }
    /// <summary>Checkpoints written by this run.</summary>
    public int Saves { get; private set; }
    /// <summary>Wall time spent by the attempts before this one (from the checkpoint).</summary>
    public double SecondsBefore { get; }
    public bool StopRequested => _settings?.Stop.IsRequested == true;
    internal bool HasStopAt => _settings?.StopAt is not null;
    internal string? StopReason => _settings?.Stop.Reason;

    /// <summary>
    /// Opens checkpointing for a run folder: resumes from its checkpoint when one exists for the same
    /// experiment, config and seed and metrics.csv still holds what it recorded; otherwise starts fresh.
    /// </summary>
    public static RunCheckpoints Open(string directory, CheckpointSettings settings, string experimentId, string configJson, long seed, bool required = false)
    {
        string path = Path.Combine(directory, FileName);
        return new RunCheckpoints(path, settings, TryLoad(path, experimentId, configJson, seed, required), experimentId, configJson);
    }

    /// <summary>Checkpointing that ignores any checkpoint left in the folder (--force: the run starts over).</summary>
    public static RunCheckpoints Fresh(string directory, CheckpointSettings settings, string experimentId, string configJson) =>
        new(Path.Combine(directory, FileName), settings, null, experimentId, configJson);

    /// <summary>
    /// The checkpoint of the same run, or null. With <paramref name="required"/> (--resume) anything that
    /// keeps it from resuming is a user error naming the file (<see cref="ConfigException"/>).
    /// </summary>
    private static CheckpointState? TryLoad(string path, string experimentId, string configJson, long seed, bool required)
    {
        CheckpointState? Refuse(string why) => required ? throw new ConfigException($"{path}: {why}; cannot resume this run") : null;
        if (!File.Exists(path)) return Refuse("no checkpoint (the run never started, or completed)");
        CheckpointState s;
        try
        {
            s = CheckpointState.Read(path);
            string dir = Path.GetDirectoryName(path)!, metrics = Path.Combine(dir, "metrics.csv");
            if (s.GetString("meta/experiment") != experimentId || s.GetString("meta/config") != configJson || s.GetInt64("meta/seed") != seed)
                return Refuse("the checkpoint belongs to another experiment, config or seed than run.json");
            if (!File.Exists(metrics) || new FileInfo(metrics).Length < s.GetInt64("meta/metrics_length"))
                return Refuse($"{metrics} is missing or shorter than the checkpoint recorded");
        }
        catch (Exception e) when (e is InvalidDataException or KeyNotFoundException or ArgumentException or IOException)
        {
            return Refuse($"corrupt checkpoint ({e.Message.ReplaceLineEndings(" ")})");
        }
        try { RunRecord.Load(Path.GetDirectoryName(path)!); }
        catch (Exception e) when (e is FileNotFoundException or FormatException or UnreadableFileException)
        {
            if (required) throw;
            return null;
        }
        return s;
    }

    /// <summary>Bytes of metrics.csv to keep when resuming.</summary>
    public long MetricsLength => _loaded?.GetInt64("meta/metrics_length") ?? 0;
    public bool Resuming => _loaded is not null;

    /// <summary>Connects to the run's context (metrics, timings, extra numbers); restores the saved timings and extras.</summary>
    internal void Bind(RunContext context)
    {
        _context = context;
        _nextDue = Stopwatch.GetTimestamp() + Interval;
        if (_loaded is null) return;
        foreach (var (key, target) in new[] { ("timings/", context.Timings), ("extra/", context.Extra) })
        {
            var sub = _loaded.Sub(key);
            foreach (var name in sub.Names) target[name] = sub.GetDouble(name);
        }
    }

    /// <summary>Starts the named phase of the run: fresh, resumed from the checkpoint, or already done.</summary>
    public CheckpointPhase Phase(string name)
    {
        if (!_begun.Add(name)) throw new InvalidOperationException($"checkpoint phase '{name}' begun twice in one run; phase names must be unique");
        if (_done.TryGetValue(name, out var results)) return new CheckpointPhase(this, name, results.Value, null);
        CheckpointPhase phase;
        if (_loadedPhase is null)
        {
            phase = new CheckpointPhase(this, name, null, null);
            // A fresh phase starts at a safe point: nothing of it exists yet, so a checkpoint here holds only the phases done.
            Current = phase;
            AtPhaseStart(phase);
            return phase;
        }
        if (_loadedPhase != name)
            throw new InvalidDataException($"{_path}: the checkpoint is in phase '{_loadedPhase}' but the run reached phase '{name}' first (the experiment changed?); delete the checkpoint to start over");
        _loadedPhase = null;
        phase = new CheckpointPhase(this, name, null, _loaded!.Sub("live/"));
        Current = phase;
        return phase;
    }

    /// <summary>The phase running now (null between phases).</summary>
    internal CheckpointPhase? Current { get; private set; }

    /// <summary>Whether the phase running now saves at its own safe points between steps (so a stop waits for the next one).</summary>
    internal bool CurrentSavesSteps => Current is { Stepped: true, IsDone: false };

    /// <summary>The start of a fresh phase: checkpoint when due (nothing live: a resume re-runs this phase from its start); stop if asked.</summary>
    private void AtPhaseStart(CheckpointPhase phase)
    {
        if (!Enabled) return;
        AskStopAt(Label(phase.Name, "start"));
        if (!Due) return;
        Save(null, 0, null, Label(phase.Name, "start"));
        if (StopRequested)
            throw new OperationCanceledException($"stopped by {StopReason} after a checkpoint at the start of {phase.Name}");
    }

    /// <summary>Writes the first checkpoint of a fresh run (nothing done yet), so that a run killed at any point can be resumed.</summary>
    internal void SaveStart()
    {
        if (Enabled && !Resuming) Save(null, 0, null);
    }

    internal void AskStopAt(string label)
    {
        if (_settings?.StopAt is { } stopAt && stopAt(label)) _settings.Stop.Request("test stop at " + label);
    }

    private long Interval => (long)(Math.Max(0, _settings?.EverySeconds ?? 0) * Stopwatch.Frequency);

    internal bool Due => _path is not null && (StopRequested || Stopwatch.GetTimestamp() >= _nextDue);

    // between: where a checkpoint saved between phases (phase null) is, e.g. "ladder@start"; null at the run's start.
    internal void Save(CheckpointPhase? phase, long step, Action<CheckpointState>? write, string? between = null)
    {
        var ctx = _context ?? throw new InvalidOperationException("RunCheckpoints used before it was bound to a run context");
        var s = new CheckpointState();
        s.Put("meta/experiment", _experimentId!);
        s.Put("meta/config", _configJson!);
        s.Put("meta/seed", ctx.Seed);
        s.Put("meta/phase", phase?.Name ?? "");
        s.Put("meta/at", phase is null ? between ?? "start" : Label(phase.Name, step));
        s.Put("meta/step", step);
        s.Put("meta/done", string.Join('\n', _doneOrder));
        s.Put("meta/seconds", SecondsBefore + (Stopwatch.GetTimestamp() - _started) / (double)Stopwatch.Frequency);
        foreach (var (k, v) in ctx.Timings) s.Put("timings/" + k, v);
        foreach (var (k, v) in ctx.Extra) s.Put("extra/" + k, v);
        foreach (var name in _doneOrder) s.PutAll($"done/{name}/", _done[name].Value);
        if (write is not null)
        {
            var live = new CheckpointState();
            write(live);
            s.PutAll("live/", live);
        }
        // Flush metrics before the checkpoint names their length: a checkpoint never points past what is on disk.
        s.Put("meta/metrics_length", ctx.Metrics.FlushedLength);
        s.Write(_path!);
        Saves++;
        LastSaved = phase is null ? between ?? "start" : Label(phase.Name, step);
        _nextDue = Stopwatch.GetTimestamp() + Interval;
    }

    internal void Complete(CheckpointPhase phase, Func<CheckpointState> results)
    {
        if (Current == phase) Current = null;
        if (!Enabled) return;
        _done[phase.Name] = new Lazy<CheckpointState>(results);
        _doneOrder.Add(phase.Name);
    }

    /// <summary>Removes the checkpoint (the run completed: nothing left to resume).</summary>
    internal void Delete()
    {
        if (_path is not null && File.Exists(_path)) File.Delete(_path);
    }

    private readonly long _started = Stopwatch.GetTimestamp();

    private static string Label(string phase, long step) => $"{phase}@{step}";
    private static string Label(string phase, string at) => $"{phase}@{at}";
    private static IEnumerable<string> Lines(string s) => s.Length == 0 ? [] : s.Split('\n');
}

/// <summary>
/// One named phase of a run (see <see cref="RunCheckpoints"/>). The experiment asks <see cref="Done"/>
/// (take the results, skip the training), <see cref="Resumed"/> (load this state into the freshly
/// built trainer), or neither (start fresh); calls <see cref="SafePoint"/> between steps; and
/// <see cref="Complete"/> with the results later code needs.
/// </summary>
public sealed class CheckpointPhase
{
    private readonly RunCheckpoints _owner;

    internal CheckpointPhase(RunCheckpoints owner, string name, CheckpointState? results, CheckpointState? resumed)
    {
        _owner = owner; Name = name; Results = results; Resumed = resumed;
    }

    public string Name { get; }
    /// <summary>Finished in an earlier attempt: the results it completed with.</summary>
    public CheckpointState? Results { get; }
    public bool Done => Results is not null;
    internal bool IsDone => Done || _completed;
    /// <summary>Set once the phase has reached a step safe point: it saves its own live state.</summary>
    internal bool Stepped { get; private set; }
    private bool _completed;
    /// <summary>The live state saved in this phase by an earlier attempt, or null to start fresh.</summary>
    public CheckpointState? Resumed { get; }

    /// <summary>
    /// A point between two steps where the state is whole. Saves a checkpoint when one is due (the
    /// interval has passed, or a stop was asked for), with <paramref name="write"/> filling in the
    /// phase's live state; after a stop request, then ends the run (OperationCanceledException).
    /// Cheap when nothing is due: one clock read.
    /// </summary>
    public void SafePoint(long step, Action<CheckpointState> write)
    {
        Stepped = true;
        if (_owner.HasStopAt) _owner.AskStopAt($"{Name}@{step}");
        if (!_owner.Due) return;
        _owner.Save(this, step, write);
        if (_owner.StopRequested)
            throw new OperationCanceledException($"stopped by {_owner.StopReason} after a checkpoint at {Name} step {step}");
    }

    /// <summary>
    /// Records the results of the finished phase (kept in every later checkpoint). <paramref name="writeResults"/>
    /// runs when the next checkpoint is written, if one is: what it reads must not change after the phase.
    /// </summary>
    public void Complete(Action<CheckpointState> writeResults)
    {
        _completed = true;
        _owner.Complete(this, () =>
        {
            var results = new CheckpointState();
            writeResults(results);
            return results;
        });
    }
}
