using System.Globalization;
using System.Numerics;
using Noether.Probes;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// The `probes` section every trained experiment has (docs/probes.md#attachable-probes): <c>--set probes=hebbian,rank</c>
/// attaches registered <see cref="TrainingProbe"/>s to every trainer the experiment watches (<see cref="RunContext.Watch{T}"/>),
/// measured every <c>probes.every</c> steps at the trainer's signal point; values go to metrics.csv as
/// <c>probe.&lt;metric&gt;</c> rows, and the report gets one figure per probe metric. Each probe's own options
/// (<see cref="TrainingProbe.Options"/>) are keys of this section, <c>probes.&lt;probe&gt;.&lt;option&gt;</c> (e.g.
/// <c>probes.crh.layer=1</c>), checked against the probe's declaration (<see cref="IDynamicKeys"/>).
/// </summary>
[SectionValue(nameof(Names))]
public sealed class ProbesConfig : IValidatedConfig, IDynamicKeys
{
    [Param("training probes to attach, by name (noether list probes); empty: none", OneOfNames = typeof(ProbeRegistry))]
    public string[] Names { get; set; } = [];

    [Param("steps between two probe measurements (step 0 included)", Min = 1)]
    public int Every { get; set; } = 100;

    [Param("dense layers to measure, 1-based (empty: all)", Min = 1, Max = 1000)]
    public int[] Layers { get; set; } = [];

    public bool Enabled => Names.Length > 0;

    /// <summary>Option values set by the user, keyed "probe.option".</summary>
    private readonly SortedDictionary<string, object> _options = new(StringComparer.Ordinal);

    public IEnumerable<DynamicKey> DynamicKeys =>
        from p in ProbeRegistry.All
        from o in p.Options
        let key = p.Name + "." + o.Name
        select new DynamicKey(key, o.Type, _options.GetValueOrDefault(key) ?? o.Default, o.Param, _options.ContainsKey(key));

    public void Assign(string key, object value) => _options[key] = value;

    public string Unknown(string fullKey, string relative, string text, IEnumerable<string> sectionKeys)
    {
        int dot = relative.IndexOf('.');
        var withOptions = ProbeRegistry.All.Where(p => p.Options.Count > 0).Select(p => $"{p.Name} ({string.Join(", ", p.Options.Select(o => o.Name))})");
        if (dot < 0)
            return $"unknown config key '{fullKey}'; known keys under '{fullKey[..^(relative.Length + 1)]}': {string.Join(", ", sectionKeys)}, or {fullKey[..^relative.Length]}<probe>.<option> for probes with options: {string.Join("; ", withOptions)}";
        string name = relative[..dot], option = relative[(dot + 1)..];
        if (ProbeRegistry.Find(name) is not { } probe)
            return $"{fullKey}={text}: unknown probe '{name}'; probes with options: {string.Join("; ", withOptions)} (noether list probes)";
        if (probe.Options.Count == 0)
            return $"{fullKey}={text}: probe '{name}' has no options; probes with options: {string.Join("; ", withOptions)}";
        return $"{fullKey}={text}: probe '{name}' has no option '{option}'; its options: {string.Join("; ", probe.Options.Select(o => o.Summary))}";
    }

    /// <summary>The options set for probe <paramref name="name"/>, by option name.</summary>
    public IReadOnlyDictionary<string, object> OptionsOf(string name) =>
        _options.Where(kv => kv.Key.StartsWith(name + ".", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[(name.Length + 1)..], kv => kv.Value);

    public void Validate()
    {
        if (Names.Distinct().Count() != Names.Length) throw new ConfigException($"probes={string.Join(",", Names)}: a probe is named twice");
        foreach (var (key, value) in _options)
        {
            string probe = key[..key.IndexOf('.')];
            if (!Names.Contains(probe))
                throw new ConfigException($"probes.{key}={OptionSpec.Show(value)}: probe '{probe}' is not attached (probes={string.Join(",", Names)}); add it with --set probes={string.Join(",", Names.Append(probe))}");
        }
    }

    /// <summary>The metric-name prefix of probe rows, so they never collide with an experiment's own metrics.</summary>
    public const string Prefix = "probe.";

    /// <summary>
    /// Attaches this section's probes to <paramref name="trainer"/> (trainer member i is population member i): at every
    /// step divisible by <see cref="Every"/> each probe measures each member and logs through the population.
    /// </summary>
    public void Attach<T>(Population population, Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Enabled) return;
        int dense = trainer.Network.Linears.Count();
        foreach (int layer in Layers)
            if (layer > dense)
                throw new ConfigException($"probes.layers={string.Join(",", Layers)}: layer {layer} does not exist; the network of {(population.Phase is { Length: > 0 } ph ? $"phase '{ph}'" : "this run")} has {dense} dense layers (valid: 1–{dense})");
        foreach (var name in Names)
            foreach (var option in ProbeRegistry.Find(name)!.Options.Where(o => o.DenseLayers))
                if (OptionsOf(name).GetValueOrDefault(option.Name) is int[] chosen && chosen.FirstOrDefault(l => l > dense) is > 0 and var missing)
                    throw new ConfigException($"probes.{name}.{option.Name}={OptionSpec.Show(chosen)}: layer {missing} does not exist; the network of {(population.Phase is { Length: > 0 } ph2 ? $"phase '{ph2}'" : "this run")} has {dense} dense layers (valid: 1–{dense})");
        var probes = Names.Select(n => ProbeRegistry.Find(n)!.With(OptionsOf(n))).ToArray();
        var layers = Layers.ToHashSet();
        int every = Every;
        trainer.SignalObservers.Add(t =>
        {
            if (t.Step % every != 0) return;
            var views = Enumerable.Range(0, population.Count).Select(m => ProbeView.Of(t, m)).ToArray();
            foreach (var probe in probes)
                probe.MeasureMembers(views, (m, layer, name, value) =>
                {
                    if (layer > 0 && layers.Count > 0 && !layers.Contains(layer)) return;
                    population.Log(t.Step, m, layer > 0 ? "l" + layer.ToString(CultureInfo.InvariantCulture) : "", Prefix + name, value);
                });
        });
    }
}
