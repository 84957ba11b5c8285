using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Noether.Experiments;
using Noether.Sweeps;

namespace Noether.Reports;

/// <summary>One completed trial as a sweep figure sees it: its axis values, claims and chosen final metric values.</summary>
public sealed record SweepPoint(Trial Trial, IReadOnlyList<Claim> Claims, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// The figures of a sweep, as data: each claim's measured value (and each chosen metric's final value)
/// against each sweep axis — mean over seeds ± one standard deviation, one series per combination of
/// the other axes, the claim's threshold as a dashed line — and the pass rate over the first two axes.
/// </summary>
public static class SweepFigures
{
    /// <summary>Claim-vs-axis figures: one per claim and swept key (seed excluded).</summary>
    public static List<Figure> ClaimsAgainstAxes(IReadOnlyList<string> axes, IReadOnlyList<SweepPoint> points)
    {
        var figures = new List<Figure>();
        var claimIds = points.SelectMany(p => p.Claims.Select(c => c.Id)).Distinct().ToList();
        foreach (var id in claimIds)
            foreach (var axis in axes)
            {
                var template = points.SelectMany(p => p.Claims).First(c => c.Id == id);
                var figure = AgainstAxis($"claim-{id}-vs-{axis}", $"{id} against {axis}", axis, "measured", axes, points,
                    p => p.Claims.FirstOrDefault(c => c.Id == id) is { } c ? (c.Measured, c.Passed) : null);
                double lo = figure.Series.SelectMany(s => s.X).DefaultIfEmpty(0).Min(), hi = figure.Series.SelectMany(s => s.X).DefaultIfEmpty(1).Max();
                foreach (var (name, y) in Thresholds(template))
                    figure.Series.Add(new Series(name, [lo, hi], [y, y]) { Style = "reference" });
                figures.Add(figure);
            }
        return figures;
    }

    /// <summary>Final-value figures of the chosen metrics against each axis.</summary>
    public static List<Figure> MetricsAgainstAxes(IReadOnlyList<string> axes, IReadOnlyList<SweepPoint> points, IReadOnlyList<string> metrics) =>
        metrics.SelectMany(m => axes.Select(axis => AgainstAxis($"metric-{m}-vs-{axis}", $"{m} (final) against {axis}", axis, m, axes, points,
            p => p.Metrics.TryGetValue(m, out var v) ? (v, null) : null))).ToList();

    /// <summary>
    /// Fraction of claim verdicts (every claim, every seed, other axes pooled) that passed at each
    /// point of the first two axes; null with fewer than two axes.
    /// </summary>
    public static Figure? PassRate(IReadOnlyList<string> axes, IReadOnlyList<SweepPoint> points)
    {
        if (axes.Count < 2) return null;
        var (cols, _) = Values(axes[0], points);
        var (rows, _) = Values(axes[1], points);
        var z = rows.Select(r => cols.Select(c =>
        {
            var verdicts = points.Where(p => Same(p, axes[0], c) && Same(p, axes[1], r)).SelectMany(p => p.Claims).ToList();
            return verdicts.Count == 0 ? double.NaN : verdicts.Count(v => v.Passed) / (double)verdicts.Count;
        }).ToArray()).ToArray();
        return new Figure("pass-rate", $"pass rate over {axes[0]} and {axes[1]}", "heatmap", axes[0], axes[1])
        {
            Z = z,
            ColumnValues = cols.Select((v, i) => Number(v) ?? i).ToArray(),
            RowValues = rows.Select((v, i) => Number(v) ?? i).ToArray(),
            ZRange = [0, 1],
            ZLabel = "claims passed (fraction)",
            Caption = "Fraction of claim verdicts that passed at each point (every claim and seed" + (axes.Count > 2 ? ", other axes pooled" : "") + ").",
        };
    }

    private static Figure AgainstAxis(string id, string title, string axis, string yLabel, IReadOnlyList<string> axes,
        IReadOnlyList<SweepPoint> points, Func<SweepPoint, (double Value, bool? Passed)?> measure)
    {
        var (values, numeric) = Values(axis, points);
        bool logX = numeric && values.All(v => Number(v) > 0) && values.Max(v => Number(v)!.Value) >= 10 * values.Min(v => Number(v)!.Value);
        var others = axes.Where(a => a != axis).ToList();
        var figure = new Figure(id, title, "line", axis, yLabel)
        {
            LogX = logX,
            Categories = numeric ? null : values.Select(SweepSpec.ValueText).ToArray(),
        };
        var passText = new List<string>();
        foreach (var group in points.GroupBy(p => Label(p, others)).OrderBy(g => g.Min(p => p.Trial.Index)))
        {
            var xs = new List<double>(); var ys = new List<double>(); var sd = new List<double>();
            for (int i = 0; i < values.Count; i++)
            {
                var at = group.Where(p => Same(p, axis, values[i])).Select(measure).Where(m => m is not null).Select(m => m!.Value).ToList();
                var finite = at.Select(m => m.Value).Where(double.IsFinite).ToList();
                if (finite.Count == 0) continue;
                xs.Add(numeric ? Number(values[i])!.Value : i);
                ys.Add(finite.Average());
                sd.Add(Series.StandardDeviation(finite));
            }
            figure.Series.Add(new Series(others.Count == 0 ? "mean over seeds" : group.Key, xs.ToArray(), ys.ToArray()) { Spread = sd.ToArray() });
        }
        // Pass rate per axis value, the other axes and seeds pooled.
        for (int i = 0; i < values.Count; i++)
        {
            var verdicts = points.Where(p => Same(p, axis, values[i])).Select(measure).Where(m => m?.Passed is not null).Select(m => m!.Value.Passed!.Value).ToList();
            if (verdicts.Count > 0) passText.Add($"{SweepSpec.ValueText(values[i])}: {verdicts.Count(v => v)}/{verdicts.Count}");
        }
        int seeds = points.Select(p => p.Trial.Seed).Distinct().Count();
        return figure with
        {
            Caption = $"Mean over {seeds} seed(s) ± one standard deviation" + (others.Count > 0 ? $", one line per value of {string.Join(", ", others)}" : "")
                + (passText.Count > 0 ? $"; dashed: the claim's threshold. Passed at {axis} = " + string.Join("; ", passText) + "." : "."),
        };
    }

    private static IEnumerable<(string Name, double Y)> Thresholds(Claim c) => c.Comparison switch
    {
        Comparison.Within => [($"threshold [{Claim.Format(c.Threshold)}, {Claim.Format(c.Upper)}]", c.Threshold), ("", c.Upper)],
        _ => [($"threshold ({(c.Comparison == Comparison.AtMost ? "≤" : "≥")} {Claim.Format(c.Threshold)})", c.Threshold)],
    };

    /// <summary>An axis's distinct values in plan order (numbers sorted), and whether all are numbers.</summary>
    private static (List<JsonNode?> Values, bool Numeric) Values(string axis, IReadOnlyList<SweepPoint> points)
    {
        var values = new List<JsonNode?>();
        foreach (var p in points.OrderBy(p => p.Trial.Index))
        {
            var v = p.Trial.Axes[axis];
            if (!values.Any(x => JsonNode.DeepEquals(x, v))) values.Add(v?.DeepClone());
        }
        bool numeric = values.All(v => Number(v) is not null);
        return (numeric ? values.OrderBy(v => Number(v)).ToList() : values, numeric);
    }

    private static bool Same(SweepPoint p, string axis, JsonNode? value) => JsonNode.DeepEquals(p.Trial.Axes[axis], value);

    private static string Label(SweepPoint p, IReadOnlyList<string> axes) =>
        string.Join(", ", axes.Select(a => $"{a}={SweepSpec.ValueText(p.Trial.Axes[a])}"));

    private static double? Number(JsonNode? v) => v is JsonValue n && n.GetValueKind() == JsonValueKind.Number ? n.GetValue<double>() : null;
}
