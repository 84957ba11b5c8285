using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Noether.Runs;

namespace Noether.Sweeps;

/// <summary>One fully resolved trial: its place in the sweep, its folder, seed, axis values and config.</summary>
public sealed class Trial
{
    public int Index { get; set; }
    /// <summary>Folder name under the sweep's trials/ folder.</summary>
    public string Name { get; set; } = "";
    public long Seed { get; set; }
    /// <summary>This trial's value of every axis (seed excluded).</summary>
    public JsonObject Axes { get; set; } = new();
    /// <summary>The `key=value` overrides (fixed, then axes) that produce <see cref="Config"/> from the profile.</summary>
    public List<string> Sets { get; set; } = [];
    /// <summary>The resolved config, exactly as run.json will hold it.</summary>
    public JsonObject Config { get; set; } = new();
}

/// <summary>
/// DIR/manifest.json: the ordered list of a sweep's trials with everything a worker needs to run
/// one of them. The run folders under DIR/trials/ are the truth about progress; the manifest never
/// changes after planning.
/// </summary>
public sealed class SweepManifest
{
    public const string FileName = "manifest.json";
    public const string TrialsFolder = "trials";
    public const int CurrentFormat = 1;

    public int Format { get; set; } = CurrentFormat;
    public string Experiment { get; set; } = "";
    public string Profile { get; set; } = "quick";
    public string Version { get; set; } = "";
    public DateTimeOffset Created { get; set; }
    /// <summary>Swept keys in spec order, then "seed".</summary>
    public List<string> AxisKeys { get; set; } = [];
    public JsonObject Spec { get; set; } = new();
    /// <summary>
    /// Absolute paths of the assemblies loaded when the sweep was planned (<c>noether --assembly PATH</c>): every process
    /// that reads this manifest loads them first (<see cref="Experiments.Plugins"/>), so a trial of an experiment defined
    /// outside the library runs in a fresh <c>sweep run-trial</c> process. Empty for the library's experiments.
    /// </summary>
    public List<string> Assemblies { get; set; } = [];
    public List<Trial> Trials { get; set; } = [];

    /// <summary>The sweep folder this manifest was read from (absolute).</summary>
    [JsonIgnore] public string Directory { get; private set; } = "";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string TrialDirectory(Trial t) => Path.Combine(Directory, TrialsFolder, t.Name);

    public Trial Get(int index) =>
        index >= 0 && index < Trials.Count ? Trials[index]
        : throw new ArgumentException($"trial index {index}: the sweep in {Directory} has trials 0..{Trials.Count - 1}");

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Save(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), ToJson());
        Directory = Path.GetFullPath(directory);
    }

    public static SweepManifest Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist; expected a sweep folder made by 'noether sweep plan'");
        var m = JsonFile.Read<SweepManifest>(path, "sweep manifest", Json);
        if (m.Format != CurrentFormat) throw new FormatException($"{path}: manifest format {m.Format}, this Noether reads format {CurrentFormat}");
        if (m.Trials is null || m.Trials.Count == 0) throw new FormatException($"{path}: field trials holds no trials; expected the list 'noether sweep plan' wrote");
        for (int i = 0; i < m.Trials.Count; i++)
        {
            var t = m.Trials[i] ?? throw new FormatException($"{path}: field trials[{i}] is null; expected a trial object");
            if (t.Index != i) throw new FormatException($"{path}: field trials[{i}].index is {t.Index}; expected {i}");
            if (!IsSafeName(t.Name)) throw new FormatException($"{path}: field trials[{i}].name '{t.Name}' is not a plain folder name; expected the name 'noether sweep plan' wrote (no '/' or '\\', not '..')");
            if (t.Sets is null || t.Sets.Any(s => s is null) || t.Config is null || t.Axes is null)
                throw new FormatException($"{path}: field trials[{i}] lacks sets, config or axes; expected the trial 'noether sweep plan' wrote");
        }
        if (m.Trials.Select(t => t.Name).Distinct().Count() != m.Trials.Count) throw new FormatException($"{path}: two trials share a folder name; expected distinct names");
        if (m.Experiment is null || m.Profile is null || m.AxisKeys is null) throw new FormatException($"{path}: field experiment, profile or axis_keys is null");
        m.Assemblies ??= [];
        foreach (var assembly in m.Assemblies)
        {
            if (string.IsNullOrEmpty(assembly) || !Path.IsPathFullyQualified(assembly)) throw new FormatException($"{path}: field assemblies holds '{assembly}'; expected absolute paths");
            Experiments.Plugins.Load(assembly);
        }
        m.Directory = Path.GetFullPath(directory);
        return m;
    }

    /// <summary>A trial folder name stays inside trials/: non-empty, no separators, not "." or "..".</summary>
    public static bool IsSafeName(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name is not ("." or "..") && name.Length <= 200
        && name.IndexOfAny(['/', '\\', '\0']) < 0;

    /// <summary>Same experiment, profile and trials (the creation time, version and loaded assemblies aside: the trials' resolved configs already say what they run).</summary>
    public bool SameTrials(SweepManifest other) =>
        Experiment == other.Experiment && Profile == other.Profile &&
        JsonSerializer.Serialize(Trials, Json) == JsonSerializer.Serialize(other.Trials, Json);
}
