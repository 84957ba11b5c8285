using System.Globalization;
using System.Text.Json.Nodes;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// One axis of a study (docs/studies.md#axes): a config key and its values, each as the study file wrote it (applied to the
/// config) and as the config reads it back (a double, an int or a string: the value run.json's members carry).
/// </summary>
public sealed record StudyAxis(string Key, IReadOnlyList<JsonNode?> Written, IReadOnlyList<object> Values)
{
    /// <summary>Keys the engine varies per member inside one trainer; any other axis gets one trainer (a phase) per value.</summary>
    public static readonly string[] PerMemberKeys = ["weight_decay", "lr"];

    public bool PerMember => PerMemberKeys.Contains(Key);

    /// <summary>The index of <paramref name="value"/> (as read back), or −1.</summary>
    public int IndexOf(object value) => Values.ToList().FindIndex(v => StudyAxes.Same(v, value));
}

/// <summary>
/// One phase of a study: the values of the axes that cannot vary per member (none: the single phase "train"), and the
/// layout of its population, every axis in the file's order (those fixed here with their one value) × seeds.
/// </summary>
public sealed record StudyGroup(string Phase, IReadOnlyList<(StudyAxis Axis, int Index)> Fixed, PopulationLayout Layout);

/// <summary>A study's axes, checked against its config: keys, values, and the phases and populations they make.</summary>
public sealed class StudyAxes
{
    private StudyAxes(IReadOnlyList<StudyAxis> axes) => Axes = axes;

    /// <summary>The axes in the file's order.</summary>
    public IReadOnlyList<StudyAxis> Axes { get; }

    /// <summary>Keys that cannot be axes, with the reason.</summary>
    private static readonly (string Key, string Why)[] Refused =
    [
        ("seeds", "seeds are the population's seeds; set seeds=K"),
        ("axes", "axes cannot vary"),
        ("claims", "claims are computed over every condition"),
        ("title", "the title names the whole study"),
        ("probes.", "probes are attached to every trainer of the run; set probes=… once"),
    ];

    /// <summary>Reads <c>axes</c> of <paramref name="config"/>; any mistake is a <see cref="ConfigException"/> naming the key and value.</summary>
    public static StudyAxes Parse(Study.Config config)
    {
        var axes = new List<StudyAxis>();
        foreach (var (written, node) in config.Axes)
        {
            string key;
            try { key = ConfigBinder.CanonicalKey(config, written); }
            catch (ConfigException e) { throw new ConfigException($"axes.{written}: {e.Message}"); }
            foreach (var (refused, why) in Refused)
                if (key == refused || (refused.EndsWith('.') && key.StartsWith(refused, StringComparison.Ordinal)))
                    throw new ConfigException($"axes.{written}: {key} cannot be an axis: {why}");
            if (axes.Any(a => a.Key == key)) throw new ConfigException($"axes.{written}: the key {key} is an axis twice");
            if (node is not JsonArray list || list.Count == 0)
                throw new ConfigException($"axes.{written}={node?.ToJsonString() ?? "null"}: expected a non-empty list of values, e.g. [0, 0.01]");
            var values = new List<object>();
            foreach (var v in list)
            {
                object read = Canonical(config, key, v, $"axes.{written}");
                if (values.Any(x => Same(x, read))) throw new ConfigException($"axes.{written}: the value {Text(read)} is listed twice; expected distinct values");
                values.Add(read);
            }
            axes.Add(new StudyAxis(key, list.Select(v => v?.DeepClone()).ToList(), values));
        }
        long conditions = axes.Aggregate(1L, (n, a) => n * a.Values.Count);
        if (conditions * config.Seeds > 4096)
            throw new ConfigException($"axes: {conditions} conditions × seeds={config.Seeds} make {conditions * config.Seeds} members; expected at most 4096");
        return new StudyAxes(axes);
    }

    /// <summary>The axis of <paramref name="key"/> (canonical), or null.</summary>
    public StudyAxis? Find(string key) => Axes.FirstOrDefault(a => a.Key == key);

    /// <summary>
    /// <paramref name="value"/> applied to key <paramref name="key"/> of a single-condition copy of <paramref name="config"/> and
    /// read back (checked as any config value is), so 0.01 and 1e-2 are one value; mistakes are named with <paramref name="field"/>.
    /// </summary>
    public static object Canonical(Study.Config config, string key, JsonNode? value, string field)
    {
        Study.Config copy;
        try
        {
            copy = config.Condition([(key, value)]);
            ConfigBinder.Validate(copy);
        }
        catch (ConfigException e) { throw new ConfigException($"{field}: {e.Message}"); }
        var read = ConfigBinder.Describe(copy).First(d => d.Key == key).Value;
        return read switch
        {
            double d => d,
            int i => i,
            long l => l.ToString(CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            Array a => string.Join(",", a.Cast<object>().Select(x => Convert.ToString(x, CultureInfo.InvariantCulture))),
            JsonNode n => n.ToJsonString(),
            null => "",
            _ => Convert.ToString(read, CultureInfo.InvariantCulture) ?? "",
        };
    }

    /// <summary>Whether two read-back values are equal (numbers by value).</summary>
    public static bool Same(object a, object b) => (a, b) switch
    {
        (double x, double y) => x.Equals(y),
        (int x, int y) => x == y,
        (string x, string y) => x == y,
        _ => false,
    };

    /// <summary>A value as run.json and phase names write it.</summary>
    public static string Text(object v) => v switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        _ => (string)v,
    };

    /// <summary>
    /// The phases: one per combination of the values of the axes that cannot vary per member (the first axis slowest), named
    /// "key=value,…" ("train" when every axis varies per member), each with its population layout.
    /// </summary>
    public IReadOnlyList<StudyGroup> Groups(int seeds)
    {
        var fixedAxes = Axes.Where(a => !a.PerMember).ToList();
        var combos = new List<int[]> { Array.Empty<int>() };
        foreach (var a in fixedAxes) combos = combos.SelectMany(c => Enumerable.Range(0, a.Values.Count).Select(i => (int[])[.. c, i])).ToList();
        return combos.Select(c =>
        {
            var chosen = fixedAxes.Select((a, k) => (a, c[k])).ToList();
            string phase = chosen.Count == 0 ? "train" : string.Join(",", chosen.Select(x => $"{x.a.Key}={Text(x.a.Values[x.Item2])}"));
            var layout = PopulationLayout.OfSeeds(seeds);
            foreach (var axis in Axes)
            {
                var values = axis.PerMember ? axis.Values : [axis.Values[chosen.First(x => x.a == axis).Item2]];
                layout = values[0] switch
                {
                    double => layout.With(axis.Key, values.Cast<double>()),
                    int => layout.With(axis.Key, values.Cast<int>()),
                    _ => layout.With(axis.Key, values.Cast<string>()),
                };
            }
            return new StudyGroup(phase, chosen.Select(x => (x.a, x.Item2)).ToList(), layout);
        }).ToList();
    }
}
