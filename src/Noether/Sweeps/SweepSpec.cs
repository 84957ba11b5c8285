using System.Globalization;
using Noether.Runs;
using System.Text.Json;
using System.Text.Json.Nodes;
using Noether.Experiments;

namespace Noether.Sweeps;

/// <summary>
/// What a researcher writes to describe a sweep (JSON): an experiment id, a profile, fixed config
/// overrides and axes — lists of values for config keys, plus run seeds. The trials are the
/// Cartesian product of the axes (first axis slowest) with the seeds innermost.
/// <code>
/// { "experiment": "noise-equilibrium", "profile": "quick",
///   "set":  { "seeds": 1, "balance.sgd_steps": 2000 },
///   "axes": { "balance.lr": [0.01, 0.02], "balance.sgd_batch": [2, 4] },
///   "seeds": [1, 2, 3] }
/// </code>
/// </summary>
public sealed class SweepSpec
{
    private static readonly string[] Fields = ["experiment", "profile", "config", "set", "axes", "seeds"];

    public required string Experiment { get; init; }
    public string Profile { get; init; } = "quick";
    /// <summary>Overrides applied to every trial, as dotted key → JSON value.</summary>
    public IReadOnlyList<(string Key, JsonNode? Value)> Fixed { get; init; } = [];
    /// <summary>Swept keys in spec order, each with its non-empty list of values.</summary>
    public IReadOnlyList<(string Key, IReadOnlyList<JsonNode?> Values)> Axes { get; init; } = [];
    /// <summary>Run seeds; each is one trial per point of the axes (population member i of a trial uses seed + i).</summary>
    public IReadOnlyList<long> Seeds { get; init; } = [1];

    /// <summary>The original JSON (kept in the manifest).</summary>
    public JsonObject Source { get; init; } = new();

    /// <summary>Reads and checks the shape of a spec file; config keys and values are checked by <see cref="SweepPlanner"/>.</summary>
    public static SweepSpec Load(string path)
    {
        JsonObject obj;
        try { obj = JsonFile.ReadObject(path, "sweep spec"); }
        catch (UnreadableFileException e) { throw new ConfigException(e.Message); }
        return Parse(obj, path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <param name="obj">the spec.</param>
    /// <param name="origin">where it comes from, for messages.</param>
    /// <param name="directory">the folder a relative "config" path is read from (null: the current folder).</param>
    public static SweepSpec Parse(JsonObject obj, string origin = "sweep spec", string? directory = null)
    {
        foreach (var (name, _) in obj)
            if (!Fields.Contains(name)) throw new ConfigException($"{origin}: unknown field '{name}'; expected {string.Join(", ", Fields)}");
        string experiment = obj["experiment"] is JsonValue e && e.TryGetValue<string>(out var id) && id.Length > 0
            ? id : throw new ConfigException($"{origin}: 'experiment' must be an experiment id (see 'noether list')");
        string profile = obj["profile"] switch
        {
            null => "quick",
            JsonValue p when p.TryGetValue<string>(out var s) => s,
            _ => throw new ConfigException($"{origin}: 'profile' must be a string (quick or full)"),
        };

        // Keys whose value is JSON (a study's axes and claims) are kept whole rather than flattened into dotted keys.
        object? defaults = null;
        try { defaults = Registry.Find(experiment)?.CreateConfig(profile); }
        catch (ConfigException) { } // an unknown profile is reported when the sweep is planned
        Func<string, bool> whole = key => defaults is not null && ConfigBinder.IsJsonKey(defaults, key);
        var fixedSets = new List<(string, JsonNode?)>();
        // "config": a config file (e.g. a study, docs/studies.md) whose keys every trial starts from, before "set".
        if (obj["config"] is { } file)
        {
            if (file is not JsonValue fv || !fv.TryGetValue<string>(out var name) || name.Length == 0)
                throw new ConfigException($"{origin}: 'config' must be the path of a JSON config file");
            JsonObject config;
            try { config = JsonFile.ReadObject(Path.Combine(directory ?? "", name), "config file"); }
            catch (UnreadableFileException problem) { throw new ConfigException($"{origin}: {problem.Message}"); }
            Flatten(config, "", fixedSets, whole);
        }
        int fromFile = fixedSets.Count; // an axis may vary a key of the config file, not one 'set' fixes
        if (obj["set"] is { } set)
        {
            if (set is not JsonObject so) throw new ConfigException($"{origin}: 'set' must be an object of config key → value");
            Flatten(so, "", fixedSets, whole);
        }

        var axes = new List<(string, IReadOnlyList<JsonNode?>)>();
        if (obj["axes"] is { } ax)
        {
            if (ax is not JsonObject ao) throw new ConfigException($"{origin}: 'axes' must be an object of config key → list of values");
            foreach (var (key, node) in ao)
            {
                if (node is not JsonArray values) throw new ConfigException($"{origin}: axis '{key}' must be a list of values");
                if (values.Count == 0) throw new ConfigException($"{origin}: axis '{key}' is empty; give at least one value");
                var dup = values.GroupBy(Canonical).FirstOrDefault(g => g.Count() > 1);
                if (dup is not null)
                    throw new ConfigException($"{origin}: axis '{key}' lists the value {dup.Key} twice ({string.Join(", ", dup.Select(v => v?.ToJsonString() ?? "null"))}); expected distinct values");
                if (fixedSets.Skip(fromFile).Any(f => f.Item1 == key)) throw new ConfigException($"{origin}: key '{key}' is both in 'set' and in 'axes'");
                axes.Add((key, values.Select(v => v?.DeepClone()).ToList()));
            }
        }

        var seeds = new List<long>();
        switch (obj["seeds"])
        {
            case null: seeds.Add(1); break;
            case JsonArray arr:
                if (arr.Count == 0) throw new ConfigException($"{origin}: 'seeds' is empty; give at least one seed");
                foreach (var s in arr)
                {
                    if (s is not JsonValue v || !v.TryGetValue<long>(out var seed))
                        throw new ConfigException($"{origin}: seed {s?.ToJsonString() ?? "null"}: expected an integer");
                    if (seeds.Contains(seed)) throw new ConfigException($"{origin}: 'seeds' lists {seed} twice");
                    seeds.Add(seed);
                }
                break;
            default: throw new ConfigException($"{origin}: 'seeds' must be a list of integers");
        }

        return new SweepSpec
        {
            Experiment = experiment, Profile = profile, Fixed = fixedSets, Axes = axes, Seeds = seeds,
            Source = (JsonObject)obj.DeepClone(),
        };
    }

    private static void Flatten(JsonObject obj, string prefix, List<(string, JsonNode?)> into, Func<string, bool> whole)
    {
        foreach (var (name, node) in obj)
        {
            if (node is JsonObject child && !whole(prefix + name)) Flatten(child, prefix + name + ".", into, whole);
            else into.Add((prefix + name, node?.DeepClone()));
        }
    }

    /// <summary>A value as compared for duplicates: numbers by their value, so 0.01, 0.010 and 1e-2 are one value.</summary>
    private static string Canonical(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            ? d.ToString("R", CultureInfo.InvariantCulture)
            : value?.ToJsonString() ?? "null";

    /// <summary>The `key=value` text ConfigBinder reads for a JSON value (lists become comma-separated; null clears a nullable key).</summary>
    public static string SetText(string key, JsonNode? value) => key + "=" + ValueText(value);

    public static string ValueText(JsonNode? value) => value switch
    {
        null => "",
        // A list of objects or lists (a study's claims) stays JSON: the config key that takes it reads JSON.
        JsonArray arr when arr.Any(x => x is JsonObject or JsonArray) => arr.ToJsonString(),
        JsonArray arr => string.Join(",", arr.Select(ValueText)),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject => value.ToJsonString(), // a JSON-valued key's object (a study's axes); any other key refuses it when it is set
        _ => value.ToJsonString(),
    };

    /// <summary>Number of trials the spec expands to.</summary>
    public long TrialCount => Axes.Aggregate(1L, (n, a) => n * a.Values.Count) * Seeds.Count;
}
