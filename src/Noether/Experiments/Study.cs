using System.Text.Json.Nodes;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// A study: a run defined entirely by a config file (docs/studies.md), `noether run study --config my-study.json`. The file
/// names an MLP (model.*), its data (a teacher–student regression, teacher.*, or a real data set, data.*), the training
/// (steps, batch, lr, weight_decay and the shared rule/syre/optimizer/probes sections), the population's axes (a grid over
/// config keys) × seeds, and claims as data (a metric at a layer, reduced over steps and members, against a threshold,
/// or the difference between two conditions). Axes the engine varies per member (weight_decay, lr) share one trainer;
/// every value of any other axis gets its own phase and trainer. Claims are computed from metrics.csv's rows after the
/// last phase, so a resumed run computes them from the same rows. A study reproduces no paper: `reproduce` runs it only
/// when asked with --only study.
/// </summary>
public sealed partial class Study : Experiment<Study.Config>, IExperiment
{
    public override string Id => "study";
    public override string Title => "A study defined by a config file";
    public override Paper Paper => new("", "", "");
    public override string Summary => "a run defined by a config file: model, data, training, axes × seeds, probes and claims as data (docs/studies.md); noether run study --config FILE";
    public override string[] ExportKinds => ["features", "weights", "feedback"];

    string IExperiment.TitleOf(object config) => config is Config { Title.Length: > 0 } c ? c.Title : Title;

    /// <summary>
    /// Both profiles are the same small teacher–student study without axes or claims: a study's sizes are what its file says.
    /// </summary>
    protected override Config Profile(string profile) => new();

    protected override IReadOnlyList<Claim> Run(Config c, RunContext ctx)
    {
        var axes = StudyAxes.Parse(c);
        var specs = StudyClaims.Parse(c, axes);
        var members = new List<StudyMember>();
        foreach (var group in axes.Groups(c.Seeds))
        {
            var condition = c.Condition(group.Fixed.SelectMany(f => f.Axis.Settings[f.Index]));
            ctx.Phase(group.Phase, phase => ctx.Time(group.Phase, () => { Train(condition, group, ctx, phase); return 0; }));
            for (int m = 0; m < group.Layout.Count; m++)
                members.Add(new StudyMember(group.Phase, m, PopulationLayout.SeedOf(ctx.Seed, group.Layout.SeedIndex(m)),
                    axes.Axes.ToDictionary(a => a.Key, a => group.Layout.Value(m, a.Key))));
        }

        // Every claim and figure reads the rows the phases logged (a resumed run reloads them), nothing kept in memory.
        var rows = ctx.Metrics.Rows.GroupBy(r => (r.Phase, r.Member, r.Name, r.Layer))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<(long Step, double Value)>)g.OrderBy(r => r.Step).Select(r => (r.Step, r.Value)).ToList());
        IReadOnlyList<(long Step, double Value)> Series(StudyMember m, string metric, string layer) =>
            rows.TryGetValue((m.Phase, m.Member, metric, layer), out var s) ? s : [];
        Figures(c, specs, members, Series, ctx);
        return specs.Select(s => s.Evaluate(members, (m, metric, layer) => Series(m, metric, layer).Select(x => x.Value).ToList())).ToList();
    }

    /// <summary>
    /// One figure per built-in metric and per metric and layer a claim reads: its mean over seeds against the step, one line per
    /// condition (± one standard deviation).
    /// </summary>
    private static void Figures(Config c, IReadOnlyList<StudyClaim> specs, List<StudyMember> members,
        Func<StudyMember, string, string, IReadOnlyList<(long Step, double Value)>> series, RunContext ctx)
    {
        var plotted = StudyClaims.BuiltIn(c).Select(m => (Metric: m, Layer: ""))
            .Concat(specs.Select(s => (s.Metric, s.Layer))).Distinct().ToList();
        foreach (var (metric, layer) in plotted)
        {
            string id = "study-" + (metric + (layer.Length > 0 ? "-" + layer : "")).Replace('.', '-').Replace('_', '-');
            var figure = new Figure(id, $"{metric}{(layer.Length > 0 ? " of layer " + layer : "")} during training", "line", "step", metric)
            {
                Caption = $"Mean over {c.Seeds} seed{(c.Seeds == 1 ? "" : "s")} of each condition (band: ± one standard deviation).",
            };
            foreach (var condition in members.GroupBy(m => (m.Phase, m.Condition)))
            {
                var points = condition.SelectMany(m => series(m, metric, layer)).GroupBy(p => p.Step).OrderBy(g => g.Key).ToList();
                if (points.Count == 0) continue;
                string name = condition.Key.Condition.Length > 0 ? condition.Key.Condition : condition.Key.Phase;
                figure.Series.Add(new Series(name, points.Select(p => (double)p.Key).ToArray(), points.Select(p => p.Average(x => x.Value)).ToArray())
                {
                    Spread = points.Select(p => Series.StandardDeviation(p.Select(x => x.Value))).ToArray(),
                });
            }
            if (figure.Series.Count > 0) ctx.Figures.Add(figure);
        }
    }
}
