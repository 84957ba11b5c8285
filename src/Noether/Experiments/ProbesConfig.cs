using System.Globalization;
using System.Numerics;
using Noether.Probes;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// The `probes` section every trained experiment has (docs/probes.md#attachable-probes): <c>--set probes=hebbian,rank</c>
/// attaches registered <see cref="TrainingProbe"/>s to every trainer the experiment watches (<see cref="RunContext.Watch{T}"/>),
/// measured every <c>probes.every</c> steps at the trainer's signal point; values go to metrics.csv as
/// <c>probe.&lt;metric&gt;</c> rows, and the report gets one figure per probe metric.
/// </summary>
[SectionValue(nameof(Names))]
public sealed class ProbesConfig : IValidatedConfig
{
    [Param("training probes to attach, by name (noether list probes); empty: none", OneOfNames = typeof(ProbeRegistry))]
    public string[] Names { get; set; } = [];

    [Param("steps between two probe measurements (step 0 included)", Min = 1)]
    public int Every { get; set; } = 100;

    [Param("dense layers to measure, 1-based (empty: all)", Min = 1, Max = 1000)]
    public int[] Layers { get; set; } = [];

    public bool Enabled => Names.Length > 0;

    public void Validate()
    {
        if (Names.Distinct().Count() != Names.Length) throw new ConfigException($"probes={string.Join(",", Names)}: a probe is named twice");
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
        var probes = Names.Select(n => ProbeRegistry.Find(n)!).ToArray();
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
