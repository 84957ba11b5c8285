using Noether.Runs;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// A reproduction of one paper: its identity, a typed config with <c>quick</c> and <c>full</c>
/// profiles, and a run that returns the paper's claims checked against this run's measurements.
/// </summary>
public interface IExperiment
{
    string Id { get; }
    string Title { get; }
    Paper Paper { get; }
    /// <summary>One line per claim this experiment checks (for the README and `noether list`).</summary>
    string Summary { get; }
    /// <summary>A fresh config object with the defaults of the named profile ("quick" or "full").</summary>
    object CreateConfig(string profile);
    IReadOnlyList<Claim> Run(object config, RunContext context);
    /// <summary>What `--export` can write from this experiment's watched trainers (features, weights, feedback); empty: nothing.</summary>
    string[] ExportKinds => [];
    /// <summary>The title run.json and the report show for a run with this config (a study names itself in its file).</summary>
    string TitleOf(object config) => Title;
}

/// <summary>Typed base: experiments implement the profile table and the run on their own config record.</summary>
public abstract class Experiment<TConfig> : IExperiment where TConfig : class
{
    public abstract string Id { get; }
    public abstract string Title { get; }
    public abstract Paper Paper { get; }
    public abstract string Summary { get; }
    public virtual string[] ExportKinds => [];

    public static readonly string[] Profiles = ["quick", "full"];

    public object CreateConfig(string profile) => profile switch
    {
        "quick" or "full" => Profile(profile),
        _ => throw new ConfigException($"profile '{profile}': expected one of {string.Join(", ", Profiles)}"),
    };

    protected abstract TConfig Profile(string profile);

    public IReadOnlyList<Claim> Run(object config, RunContext context) => Run((TConfig)config, context);

    protected abstract IReadOnlyList<Claim> Run(TConfig config, RunContext context);
}

/// <summary>What an experiment gets to run with: seed streams, threads, metrics, figures, progress.</summary>
public sealed class RunContext
{
    public RunContext(long seed, string profile, int threads, MetricsWriter metrics, string? directory = null,
        IRunProgress? progress = null, CancellationToken cancel = default)
    {
        Seed = seed; Profile = profile; Threads = Math.Max(1, threads); Metrics = metrics; Directory = directory;
        Progress = progress ?? NullProgress.Instance; Cancel = cancel;
        Root = new Rng(seed);
        Compute = new Compute(Threads);
    }

    public long Seed { get; }
    public string Profile { get; }
    public int Threads { get; }
    public Compute Compute { get; }
    /// <summary>The run's root stream; experiments take named children (Root.Child("init")).</summary>
    public Rng Root { get; }
    public MetricsWriter Metrics { get; }
    /// <summary>The run folder (null when running without one, e.g. in some tests).</summary>
    public string? Directory { get; }
    public IRunProgress Progress { get; }
    public CancellationToken Cancel { get; }
    /// <summary>The run's checkpoints; disabled unless the runner was asked for them.</summary>
    public RunCheckpoints Checkpoints { get; init; } = new();

    /// <summary>
    /// Runs one named phase of the experiment and returns its result; on a resumed run a phase done
    /// before is skipped and returns its stored result (see <see cref="PhaseRunner"/>). The result must
    /// round-trip through System.Text.Json (records, arrays, numbers, tuples).
    /// </summary>
    public T Phase<T>(string name, Func<CheckpointPhase, T> body) => PhaseRunner.Run(this, name, body);

    /// <summary>A phase that returns claims (<see cref="Phase{T}"/>; they are stored as run.json stores them).</summary>
    public IReadOnlyList<Claim> ClaimsPhase(string name, Func<CheckpointPhase, IReadOnlyList<Claim>> body) => PhaseRunner.Claims(this, name, body);

    /// <summary>A phase that returns claims and a value later phases need.</summary>
    public (IReadOnlyList<Claim> Claims, T Value) ClaimsPhase<T>(string name, Func<CheckpointPhase, (IReadOnlyList<Claim>, T)> body) =>
        PhaseRunner.Claims<T>(this, name, phase => body(phase));

    /// <summary>The tensors `--export` asked for (<see cref="TensorExport.Watch{T}"/>); disabled by default.</summary>
    public TensorExport Export { get; init; } = new();
    /// <summary>The training probes the run attaches to every watched trainer (the config's `probes` section); none by default.</summary>
    public ProbesConfig Probes { get; init; } = new();

    /// <summary>
    /// Hands a trainer of <paramref name="population"/> (trainer member i is population member i) to the run: `--export`
    /// writes its tensors and the `probes` section measures it.
    /// </summary>
    public void Watch<T>(Population population, Trainer<T> trainer) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Export.Watch(population, trainer);
        Probes.Attach(population, trainer);
    }
    public List<Figure> Figures { get; } = [];
    /// <summary>Wall time of named phases, in seconds (saved in run.json).</summary>
    public Dictionary<string, double> Timings { get; } = new();
    /// <summary>Free-form numbers an experiment wants in the report besides its claims.</summary>
    public Dictionary<string, double> Extra { get; } = new();

    /// <summary>Sub-folder of the run folder that holds exported tensors.</summary>
    public const string TensorFolder = "tensors";

    /// <summary>
    /// Saves a tensor as tensors/&lt;name&gt;.npy in the run folder, for readers in numpy; does nothing
    /// when the run has no folder. Names are letters, digits, '_', '-' and '.'.
    /// </summary>
    public void SaveTensor(string name, Tensor<double> tensor) => SaveTensor(name, path => Npy.Write(path, tensor));

    /// <inheritdoc cref="SaveTensor(string, Tensor{double})"/>
    public void SaveTensor(string name, Tensor<float> tensor) => SaveTensor(name, path => Npy.Write(path, tensor));

    private void SaveTensor(string name, Action<string> write)
    {
        if (name.Length == 0 || name.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-' or '.')) || name.StartsWith('.'))
            throw new ArgumentException($"tensor name '{name}': expected letters, digits, '_', '-' or '.' (it becomes a file name)");
        if (Directory is null) return;
        string dir = Path.Combine(Directory, TensorFolder);
        System.IO.Directory.CreateDirectory(dir);
        write(Path.Combine(dir, name + ".npy"));
    }

    /// <summary>
    /// Stream <paramref name="name"/> of seed index <paramref name="seedIndex"/>: Rng(run seed + index).Child(name), the
    /// stream every member with that seed index draws from (<see cref="Experiments.Population.Stream"/>). For
    /// draws shared by all conditions of a seed, such as its data set.
    /// </summary>
    public Rng SeedStream(int seedIndex, string name) => new Rng(PopulationLayout.SeedOf(Seed, seedIndex)).Child(name);

    private readonly List<Population> _populations = [];

    /// <summary>
    /// Registers the population of phase <paramref name="phase"/> and returns it bound to this run: member
    /// seeds and streams, and a logger that writes the phase into metrics.csv. Registering a phase again
    /// with an equal layout returns the same population (a resumed or repeated phase).
    /// </summary>
    public Population Population(string phase, PopulationLayout layout)
    {
        if (phase.Length == 0) throw new ArgumentException("a phase needs a name");
        var fresh = new Population(phase, layout, Seed, Metrics);
        if (_populations.Find(p => p.Phase == phase) is { } known)
        {
            if (!known.Members().Select(m => m.ToJsonString()).SequenceEqual(fresh.Members().Select(m => m.ToJsonString())))
                throw new InvalidOperationException($"phase '{phase}' is registered twice with different populations");
            return known;
        }
        _populations.Add(fresh);
        PopulationAdded?.Invoke();
        return fresh;
    }

    /// <summary>Raised after a new phase's population is registered (the runner records the members in run.json).</summary>
    public event Action? PopulationAdded;

    /// <summary>The populations registered so far, in registration order.</summary>
    public IReadOnlyList<Population> Populations => _populations;

    /// <summary>Times an action and records it under <paramref name="name"/> (thread-safe: actions running at once on several threads add up their own times).</summary>
    public T Time<T>(string name, Func<T> action)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = action();
        lock (Timings) Timings[name] = Timings.GetValueOrDefault(name) + sw.Elapsed.TotalSeconds;
        return r;
    }
}

/// <summary>Progress of a long run: a phase name and steps done out of total.</summary>
public interface IRunProgress
{
    void Report(string phase, long done, long total);
}

public sealed class NullProgress : IRunProgress
{
    public static readonly NullProgress Instance = new();
    public void Report(string phase, long done, long total) { }
}
