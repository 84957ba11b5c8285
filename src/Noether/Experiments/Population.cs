using System.Text.Json.Nodes;
using Noether.Runs;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// A population registered with a run under a phase name: its layout bound to the run seed (each
/// member's seed and named random streams) and a metrics logger that writes the phase and member
/// into every row. Obtained from <see cref="RunContext.Population"/>.
/// </summary>
public sealed class Population
{
    private readonly MetricsWriter _metrics;

    internal Population(string phase, PopulationLayout layout, long runSeed, MetricsWriter metrics)
    {
        Phase = phase; Layout = layout; RunSeed = runSeed; _metrics = metrics;
    }

    /// <summary>The part of the experiment this population trains in (metrics.csv's <c>phase</c>).</summary>
    public string Phase { get; }
    public PopulationLayout Layout { get; }
    public long RunSeed { get; }
    /// <summary>Number of members P.</summary>
    public int Count => Layout.Count;

    /// <summary>The seed of member <paramref name="member"/>: run seed + its seed index, whatever its condition.</summary>
    public long Seed(int member) => PopulationLayout.SeedOf(RunSeed, Layout.SeedIndex(member));

    /// <summary>Member <paramref name="member"/>'s random stream <paramref name="name"/>: Rng(seed).Child(name).</summary>
    public Rng Stream(int member, string name) => new Rng(Seed(member)).Child(name);

    /// <summary>The seed index of a member (its seed is run seed + index).</summary>
    public int SeedIndex(int member) => Layout.SeedIndex(member);

    /// <summary>Stream <paramref name="name"/> of every member, in member order.</summary>
    public Rng[] Streams(string name) => Enumerable.Range(0, Count).Select(m => Stream(m, name)).ToArray();

    /// <summary>Logs one value of a member (<paramref name="layer"/> empty when the value is not per layer).</summary>
    public void Log(long step, int member, string layer, string name, double value) => _metrics.Log(step, Phase, member, layer, name, value);

    /// <summary>Logs one value of a member that is not per layer.</summary>
    public void Log(long step, int member, string name, double value) => _metrics.Log(step, Phase, member, "", name, value);

    /// <summary>The rows this population logged so far.</summary>
    public IEnumerable<MetricRow> Rows(string name) => _metrics.Rows.Where(r => r.Phase == Phase && r.Name == name);

    /// <summary>"gamma=0.01/seed=3".</summary>
    public string Label(int member) => MemberLabels.Label(Entry(member));

    /// <summary>One run.json <c>members</c> entry per member: phase, member, seed and one typed key per condition axis.</summary>
    public IEnumerable<JsonObject> Members() => Enumerable.Range(0, Count).Select(Entry);

    private JsonObject Entry(int m)
    {
        var o = new JsonObject { ["phase"] = Phase, ["member"] = m, [PopulationLayout.SeedAxis] = Seed(m) };
        foreach (var f in Layout.Axes.SelectMany(a => a.Fields))
            o[f.Name] = Layout.Value(m, f.Name) switch
            {
                double d => JsonValue.Create(d),
                int i => JsonValue.Create(i),
                var v => JsonValue.Create((string)v),
            };
        return o;
    }
}
