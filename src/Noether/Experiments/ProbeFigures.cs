using Noether.Runs;

namespace Noether.Experiments;

/// <summary>
/// One figure per metric the attached probes logged (docs/probes.md#attachable-probes): the metric against the step, one
/// line per phase and layer, the mean over that phase's members with their spread.
/// </summary>
public static class ProbeFigures
{
    public static void Add(RunContext context)
    {
        if (!context.Probes.Enabled) return;
        var rows = context.Metrics.Rows.Where(r => r.Name.StartsWith(ProbesConfig.Prefix, StringComparison.Ordinal)).ToList();
        foreach (var metric in rows.GroupBy(r => r.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            string name = metric.Key[ProbesConfig.Prefix.Length..];
            var figure = new Figure("probe-" + name.Replace('_', '-'), $"Probe {name} during training", "line", "step", name)
            {
                Caption = $"Mean over each phase's members (band: ± one standard deviation), every {context.Probes.Every} steps.",
            };
            foreach (var line in metric.GroupBy(r => (r.Phase, r.Layer)).OrderBy(g => g.Key.Phase, StringComparer.Ordinal).ThenBy(g => g.Key.Layer, StringComparer.Ordinal))
            {
                var steps = line.GroupBy(r => r.Step).OrderBy(g => g.Key).ToList();
                figure.Series.Add(new Series(line.Key.Layer.Length > 0 ? $"{line.Key.Phase} {line.Key.Layer}" : line.Key.Phase,
                    steps.Select(s => (double)s.Key).ToArray(), steps.Select(s => s.Average(r => r.Value)).ToArray())
                {
                    Spread = steps.Select(s => Series.StandardDeviation(s.Select(r => r.Value))).ToArray(),
                });
            }
            context.Figures.Add(figure);
        }
    }
}
