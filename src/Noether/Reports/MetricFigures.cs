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

    public static List<Figure> FromRows(IReadOnlyList<MetricRow> rows, MemberLabels labels)
    {
        var figures = new List<Figure>();
        foreach (var metric in rows.GroupBy(r => (r.Phase, r.Layer, r.Name)).OrderBy(g => g.Key.Phase, StringComparer.Ordinal).ThenBy(g => g.Key.Layer, StringComparer.Ordinal).ThenBy(g => g.Key.Name, StringComparer.Ordinal).Take(MaxFigures))
        {
            var (phase, layer, name) = metric.Key;
            string where = string.Join(", ", new[] { phase, layer }.Where(s => s.Length > 0));
            string title = where.Length == 0 ? name : $"{name} ({where})";
            var figure = new Figure($"metric-{phase}-{layer}-{name}", title, "line", "step", name);
            foreach (var member in metric.GroupBy(r => r.Member).OrderBy(g => g.Key))
            {
                var points = member.OrderBy(r => r.Step).ToList();
                figure.Series.Add(new Series(labels[phase, member.Key], points.Select(r => (double)r.Step).ToArray(), points.Select(r => r.Value).ToArray()));
            }
            figures.Add(figure);
        }
        return figures;
    }
}
