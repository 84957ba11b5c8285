using System.Globalization;
using System.Text.Json.Nodes;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// One axis of a study (docs/studies.md#axes): a config key and its values, or a name and named settings (each a set of config
/// keys, <see cref="Named"/>). <see cref="Settings"/> holds what each value applies to the config, as the file wrote it;
/// <see cref="Values"/> what run.json's members carry: the value as the config reads it back (a double, an int or a string),
/// or the setting's name.
/// </summary>
public sealed record StudyAxis(string Key, IReadOnlyList<IReadOnlyList<(string Key, JsonNode? Value)>> Settings, IReadOnlyList<object> Values, bool Named)
{
    /// <summary>Keys the engine varies per member inside one trainer; any other axis gets one trainer (a phase) per value.</summary>
    public static readonly string[] PerMemberKeys = ["weight_decay", "lr"];

    public bool PerMember => !Named && PerMemberKeys.Contains(Key);

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
            var axis = node is JsonObject named ? ParseNamed(config, written, named) : ParseKey(config, written, node);
            if (axes.Any(a => a.Key == axis.Key)) throw new ConfigException($"axes.{written}: the key {axis.Key} is an axis twice");
            axes.Add(axis);
        }
        foreach (var a in axes.Where(a => a.Named))
            foreach (var (key, _) in a.Settings.SelectMany(x => x))
                if (axes.Any(b => !b.Named && b.Key == key) || axes.Any(b => b != a && b.Named && b.Settings.SelectMany(x => x).Any(x => x.Key == key)))
                    throw new ConfigException($"axes.{a.Key}: its settings set {key}, which another axis varies too; expected each key on one axis");
        long conditions = axes.Aggregate(1L, (n, a) => n * a.Values.Count);
        if (conditions * config.Seeds > 4096)
            throw new ConfigException($"axes: {conditions} conditions × seeds={config.Seeds} make {conditions * config.Seeds} members; expected at most 4096");
        return new StudyAxes(axes);
    }

    /// <summary>An axis over one config key: a list of values (or one value alone).</summary>
    private static StudyAxis ParseKey(Study.Config config, string written, JsonNode? node)
    {
        string key = Key(config, written, $"axes.{written}");
        // One value alone is a one-value axis (what `--set axes.KEY=0.01` and a sweep's one-value list give).
        var list = node switch
        {
            JsonArray { Count: > 0 } l => l,
            JsonValue v => new JsonArray(v.DeepClone()),
            _ => throw new ConfigException($"axes.{written}={node?.ToJsonString() ?? "null"}: expected a non-empty list of values, e.g. [0, 0.01], or an object of named settings"),
        };
        var values = new List<object>();
        foreach (var v in list)
        {
            object read = Canonical(config, key, v, $"axes.{written}");
            if (values.Any(x => Same(x, read))) throw new ConfigException($"axes.{written}: the value {Text(read)} is listed twice; expected distinct values");
            if (read is string text && text.IndexOfAny(['/', '\\']) >= 0)
                throw new ConfigException($"axes.{written}={text}: a value with '/' cannot name a phase or a member; use an axis of named settings, e.g. {{\"data_set\": {{\"a\": {{\"{key}\": \"{text}\"}}}}}}");
            values.Add(read);
        }
        return new StudyAxis(key, list.Select(v => (IReadOnlyList<(string, JsonNode?)>)[(key, v?.DeepClone())]).ToList(), values, Named: false);
    }

    /// <summary>An axis of named settings: {"arm": {"decay": {"weight_decay": 0.03}, "syre": {"syre.gamma": 0.015, …}}}.</summary>
    private static StudyAxis ParseNamed(Study.Config config, string name, JsonObject named)
    {
        bool isKey = true;
        try { ConfigBinder.CanonicalKey(config, name); }
        catch (ConfigException) { isKey = false; }
        if (isKey) throw new ConfigException($"axes.{name}: {name} is a config key, so its values must be a list; an axis of named settings needs a name that is no config key (e.g. arm)");
        if (!Plain(name) || name is PopulationLayout.SeedAxis or "phase" or "member")
            throw new ConfigException($"axes.{name}: expected an axis name of letters, digits, '-', '_' or '.', other than seed, phase or member");
        if (named.Count == 0) throw new ConfigException($"axes.{name}={{}}: expected at least one named setting, e.g. {{\"decay\": {{\"weight_decay\": 0.03}}}}");
        var settings = new List<IReadOnlyList<(string, JsonNode?)>>();
        foreach (var (value, node) in named)
        {
            string at = $"axes.{name}.{value}";
            if (!Plain(value)) throw new ConfigException($"{at}: expected a setting name of letters, digits, '-', '_' or '.'");
            if (node is not JsonObject keys) throw new ConfigException($"{at}={node?.ToJsonString() ?? "null"}: expected an object of config key → value ({{}} for the study as it is)");
            var list = keys.Select(kv => (Key(config, kv.Key, $"{at}.{kv.Key}"), kv.Value?.DeepClone())).ToList();
            try { ConfigBinder.Validate(config.Condition(list)); }
            catch (ConfigException e) { throw new ConfigException($"{at}: {e.Message}"); }
            settings.Add(list);
        }
        return new StudyAxis(name, settings, named.Select(kv => (object)kv.Key).ToList(), Named: true);
    }

    private static bool Plain(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The canonical config key <paramref name="written"/> names, refused when it cannot vary.</summary>
    private static string Key(Study.Config config, string written, string at)
    {
        string key;
        try { key = ConfigBinder.CanonicalKey(config, written); }
        catch (ConfigException e) { throw new ConfigException($"{at}: {e.Message}"); }
        foreach (var (refused, why) in Refused)
            if (key == refused || (refused.EndsWith('.') && key.StartsWith(refused, StringComparison.Ordinal)))
                throw new ConfigException($"{at}: {key} cannot be an axis: {why}");
        return key;
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
