using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Noether.Nn;
using Noether.Runs;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// What `noether run --export` asked for: kinds (features, weights, feedback), the steps to export at
/// and the dense layers. Parsed from the command line; every mistake is a <see cref="ConfigException"/>.
/// </summary>
public sealed record ExportRequest
{
    public static readonly string[] AllKinds = ["features", "weights", "feedback"];

    /// <summary>Rows of the training inputs the features are computed on (the first ones, in data order).</summary>
    public const int FeatureSamples = 256;

    public required IReadOnlySet<string> Kinds { get; init; }
    /// <summary>Explicit steps to export at.</summary>
    public IReadOnlySet<long> Steps { get; init; } = new HashSet<long>();
    /// <summary>Every this many steps (0: not periodic).</summary>
    public long Every { get; init; }
    /// <summary>The last step of each trainer.</summary>
    public bool End { get; init; }
    /// <summary>Dense layers by 1-based index (l1 = the first dense layer, as in metrics.csv); null = every layer.</summary>
    public IReadOnlySet<int>? Layers { get; init; }

    public bool Wants(long step) => Steps.Contains(step) || (Every > 0 && step % Every == 0);
    public bool WantsLayer(int layer) => Layers is null || Layers.Contains(layer);

    /// <summary>
    /// Parses <c>--export features,weights</c>, <c>--export-steps 0,end</c> (integers, <c>end</c>, <c>every:N</c>;
    /// default <c>0,end</c>) and <c>--export-layers l1,l2</c> (default every dense layer).
    /// </summary>
    public static ExportRequest Parse(string kinds, string? steps, string? layers)
    {
        var k = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in kinds.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!AllKinds.Contains(word)) throw new ConfigException($"--export '{word}': expected a comma-separated list of {string.Join(", ", AllKinds)}");
            k.Add(word);
        }
        if (k.Count == 0) throw new ConfigException($"--export '{kinds}': expected a comma-separated list of {string.Join(", ", AllKinds)}");
        var explicitSteps = new HashSet<long>();
        long every = 0; bool end = false;
        foreach (var word in (steps ?? "0,end").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (word == "end") end = true;
            else if (word.StartsWith("every:", StringComparison.Ordinal) && long.TryParse(word.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0) every = n;
            else if (long.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out long s)) explicitSteps.Add(s);
            else throw new ConfigException($"--export-steps '{word}': expected step numbers ≥ 0, 'end' or 'every:N' (N ≥ 1), comma-separated, e.g. 0,end or every:500,end");
        }
        if (explicitSteps.Count == 0 && every == 0 && !end) throw new ConfigException($"--export-steps '{steps}': expected at least one step, e.g. 0,end");
        HashSet<int>? l = null;
        if (layers is not null && layers.Trim() != "all")
        {
            l = [];
            foreach (var word in layers.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (word.Length > 1 && word[0] == 'l' && int.TryParse(word.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i >= 1) l.Add(i);
                else throw new ConfigException($"--export-layers '{word}': expected dense layers as l1, l2, … (l1 is the first, as in metrics.csv) or 'all'");
            }
            if (l.Count == 0) throw new ConfigException("--export-layers: expected at least one layer, e.g. l1,l2, or 'all'");
        }
        return new ExportRequest { Kinds = k, Steps = explicitSteps, Every = every, End = end, Layers = l };
    }
}

/// <summary>
/// Exports a run's representations and parameters as NPY files NumPy loads directly:
/// <c>tensors/&lt;phase&gt;.&lt;kind&gt;.l&lt;layer&gt;.step&lt;N&gt;.npy</c>, each with a leading members axis in
/// run.json's <c>members</c> order, and <c>tensors/index.json</c> describing every file. A trainer takes part
/// when its experiment hands it over with <see cref="Watch{T}"/> (one line where the trainer is made);
/// the export then runs from the trainer's own hook (before a step's batch is used, the state after
/// that many steps) and once more when the run ends. Nothing it does changes the training: it draws no
/// random numbers and its forward pass on the feature samples is overwritten by the next step's.
/// </summary>
public sealed class TensorExport
{
    /// <summary>Refuses, before anything runs, a request the experiment cannot honour (one line, exit 2).</summary>
    public static void Check(IExperiment experiment, ExportRequest? request)
    {
        if (request is null) return;
        var kinds = experiment.ExportKinds;
        if (kinds.Length == 0)
            throw new ConfigException($"--export: {experiment.Id} does not export tensors (experiments that do: {string.Join(", ", Registry.All.Where(e => e.ExportKinds.Length > 0).Select(e => e.Id))})");
        var missing = request.Kinds.Where(k => !kinds.Contains(k)).ToList();
        if (missing.Count > 0)
            throw new ConfigException($"--export {string.Join(",", missing)}: {experiment.Id} exports only {string.Join(", ", kinds)}");
    }

    public const string IndexFile = "index.json";

    private readonly ExportRequest? _request;
    private readonly string? _directory;
    private readonly List<Action> _finish = [];
    private readonly List<JsonObject> _files = [];
    private readonly Dictionary<string, int> _perPhase = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>No export (the default of a run context).</summary>
    public TensorExport() { }

    public TensorExport(ExportRequest? request, string? runDirectory)
    {
        _request = request; _directory = runDirectory;
    }

    public bool Enabled => _request is not null && _directory is not null;

    /// <summary>The files written so far, as index.json describes them.</summary>
    public IReadOnlyList<JsonObject> Files { get { lock (_gate) return _files.ToList(); } }

    /// <summary>
    /// Hands a trainer of population <paramref name="population"/> to the export: trainer member i is
    /// population member i. Does nothing unless the run was asked to export.
    /// </summary>
    public void Watch<T>(Population population, Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Enabled) return;
        if (trainer.Network.Members != population.Count)
            throw new InvalidOperationException($"export: a trainer of {trainer.Network.Members} members for phase '{population.Phase}' of {population.Count}");
        string name;
        lock (_gate)
        {
            int n = _perPhase.GetValueOrDefault(population.Phase) + 1;
            _perPhase[population.Phase] = n;
            name = n == 1 ? population.Phase : $"{population.Phase}.t{n}";
        }
        var done = new HashSet<long>();
        void At(long step)
        {
            if (done.Add(step)) Write(name, population, trainer, step);
        }
        trainer.BeforeForward.Insert(0, t => { if (_request!.Wants(t.Step)) At(t.Step); });
        lock (_gate) _finish.Add(() => { if (_request!.End || _request.Wants(trainer.Step)) At(trainer.Step); });
    }

    /// <summary>Exports every watched trainer's last state (when asked) and writes tensors/index.json.</summary>
    public void Finish()
    {
        if (!Enabled) return;
        foreach (var f in _finish) f();
        string dir = Path.Combine(_directory!, RunContext.TensorFolder);
        Directory.CreateDirectory(dir);
        var index = new JsonObject
        {
            ["format"] = "npy 1.0, little-endian, C order; axis 0 is the population member",
            ["members"] = "each file's 'members' are run.json members (phase, member) in axis-0 order",
            ["files"] = new JsonArray(Files.Select(f => (JsonNode)f.DeepClone()).ToArray()),
        };
        AtomicFile.WriteAllText(Path.Combine(dir, IndexFile), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private void Write<T>(string name, Population population, Trainer<T> trainer, long step) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = _request!;
        var linears = trainer.Network.Linears.ToArray();
        if (request.Layers is { } wanted && wanted.Max() > linears.Length)
            throw new ConfigException($"--export-layers l{wanted.Max()}: phase '{population.Phase}' of this experiment has {linears.Length} dense layer(s) (l1…l{linears.Length})");
        IReadOnlyList<LinearTrace<T>>? trace = null;
        if (request.Kinds.Contains("features")) trace = FeatureTrace(trainer);
        for (int l = 0; l < linears.Length; l++)
        {
            if (!request.WantsLayer(l + 1)) continue;
            if (request.Kinds.Contains("weights")) Save(name, population, "weights", l + 1, step, linears[l].Weight.Value, null);
            if (request.Kinds.Contains("feedback") && linears[l].Feedback is { } b) Save(name, population, "feedback", l + 1, step, b, null);
            if (trace is not null)
                Save(name, population, "features", l + 1, step, trace[l].Output,
                    $"output of dense layer {l + 1} after its activation, on the first {trace[l].Output.Shape[1]} training inputs");
        }
    }

    /// <summary>A forward pass of every member on the first <see cref="ExportRequest.FeatureSamples"/> training inputs.</summary>
    private static IReadOnlyList<LinearTrace<T>> FeatureTrace<T>(Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var net = trainer.Network;
        int n = Math.Min(trainer.Data.Count, ExportRequest.FeatureSamples);
        var x = new Tensor<T>([net.Members, n, .. net.InputShape]);
        var y = new Tensor<T>([net.Members, n, .. net.OutputShape]);
        int[] idx = Enumerable.Range(0, n).ToArray();
        for (int m = 0; m < net.Members; m++) trainer.Data.Gather(m, idx, x, y);
        net.Forward(x);
        return net.Trace;
    }

    private void Save<T>(string name, Population population, string kind, int layer, long step, Tensor<T> tensor, string? note)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string file = $"{name}.{kind}.l{layer}.step{step.ToString(CultureInfo.InvariantCulture)}.npy";
        string dir = Path.Combine(_directory!, RunContext.TensorFolder);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, file);
        if (tensor is Tensor<float> f) Npy.Write(path, f);
        else if (tensor is Tensor<double> d) Npy.Write(path, d);
        else throw new InvalidOperationException($"export: element type {typeof(T).Name}");
        var entry = new JsonObject
        {
            ["file"] = file,
            ["phase"] = population.Phase,
            ["kind"] = kind,
            ["layer"] = $"l{layer}",
            ["step"] = step,
            ["shape"] = new JsonArray(tensor.Shape.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
            ["dtype"] = typeof(T) == typeof(float) ? "float32" : "float64",
            ["axes"] = kind == "features" ? "member, sample, unit" : "member, out, in",
            ["members"] = new JsonArray(Enumerable.Range(0, population.Count).Select(m => (JsonNode)JsonValue.Create(m)).ToArray()),
        };
        if (name != population.Phase) entry["trainer"] = name;
        if (note is not null) entry["note"] = note;
        lock (_gate) _files.Add(entry);
    }
}
