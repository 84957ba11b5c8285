using Noether.Experiments;
using Noether.Runs;

namespace Noether.Reports;

/// <summary>
/// Fallback figures drawn straight from metrics.csv, for a run that stopped before declaring its own:
/// one line plot per (layer, metric) over steps, one series per population member.
/// </summary>
public static class MetricFigures
{
    /// <summary>At most this many figures: a report is read by a person, not scanned.</summary>
    public const int MaxFigures = 12;

    public static List<Figure> FromRows(IReadOnlyList<MetricRow> rows)
    {
        var figures = new List<Figure>();
        foreach (var metric in rows.GroupBy(r => (r.Layer, r.Name)).OrderBy(g => g.Key.Layer, StringComparer.Ordinal).ThenBy(g => g.Key.Name, StringComparer.Ordinal).Take(MaxFigures))
        {
            var (layer, name) = metric.Key;
            string title = string.IsNullOrEmpty(layer) ? name : $"{name} ({layer})";
            var figure = new Figure($"metric-{layer}-{name}", title, "line", "step", name);
            foreach (var member in metric.GroupBy(r => r.Member).OrderBy(g => g.Key))
            {
                var points = member.OrderBy(r => r.Step).ToList();
                figure.Series.Add(new Series($"member {member.Key}", points.Select(r => (double)r.Step).ToArray(), points.Select(r => r.Value).ToArray()));
            }
            figures.Add(figure);
        }
        return figures;
    }
}
