using System.Globalization;
using System.Text;
using Noether.Experiments;
using Noether.Runs;
using Noether.Sweeps;

namespace Noether.Reports;

/// <summary>What <see cref="SweepReport.Build"/> wrote into a sweep folder.</summary>
public sealed record SweepReportOutput(string ReportPath, IReadOnlyList<string> Plots, int Completed, int Trials);

/// <summary>
/// DIR/report.html of a sweep, from the trial folders alone: for every claim (and every chosen metric)
/// its value against each sweep axis, the pass rate over the first two axes, the pass count at each
/// point, and every trial with a link to its own report. Figures also go to DIR/plots/ as PNG and SVG.
/// </summary>
public static class SweepReport
{
    public static SweepReportOutput Build(SweepManifest manifest, IReadOnlyList<string>? metrics = null, FigureFormats formats = FigureFormats.Both)
    {
        metrics ??= [];
        var statuses = TrialStatus.Of(manifest);
        var points = statuses.Where(s => s.State == TrialState.Completed && s.Record is not null)
            .Select(s => new SweepPoint(s.Trial, s.Record!.Claims.Select(ExperimentRunner.FromRecord).ToList(), FinalValues(manifest.TrialDirectory(s.Trial), metrics)))
            .ToList();
        var axes = manifest.AxisKeys.Where(k => k != "seed").ToList();
        var declared = new List<Figure>();
        if (SweepFigures.PassRate(axes, points) is { } rate) declared.Add(rate);
        declared.AddRange(SweepFigures.ClaimsAgainstAxes(axes, points));
        declared.AddRange(SweepFigures.MetricsAgainstAxes(axes, points, metrics));

        var (figures, plots) = RunReport.RenderPlots(declared, Path.Combine(manifest.Directory, RunReport.PlotFolder), formats);
        string report = Path.Combine(manifest.Directory, ReportHtml.FileName);
        AtomicFile.WriteAllText(report, Html(manifest, statuses, axes, figures, metrics));
        return new SweepReportOutput(report, plots, points.Count, statuses.Count);
    }

    /// <summary>Each chosen metric's value at the last step it was logged, averaged over members and layers ("name" or "layer/name").</summary>
    private static Dictionary<string, double> FinalValues(string trialDirectory, IReadOnlyList<string> metrics)
    {
        var values = new Dictionary<string, double>();
        string path = Path.Combine(trialDirectory, "metrics.csv");
        if (metrics.Count == 0 || !File.Exists(path)) return values;
        var rows = MetricsWriter.Read(path);
        foreach (var m in metrics)
        {
            var matching = rows.Where(r => r.Name == m || TensorBoardExport.Tag(r) == m).ToList();
            if (matching.Count == 0) continue;
            long last = matching.Max(r => r.Step);
            values[m] = matching.Where(r => r.Step == last).Average(r => r.Value);
        }
        return values;
    }

    private static string Html(SweepManifest m, IReadOnlyList<TrialStatus> statuses, IReadOnlyList<string> axes, IReadOnlyList<ReportFigure> figures, IReadOnlyList<string> metrics)
    {
        string title = $"Sweep of {m.Experiment}";
        var sb = Reports.Html.Begin(title);
        sb.AppendLine($"<h1>{Reports.Html.E(title)}</h1>");
        int completed = statuses.Count(s => s.State == TrialState.Completed);
        var verdicts = statuses.Where(s => s.State == TrialState.Completed).SelectMany(s => s.Record!.Claims.Select(ExperimentRunner.FromRecord)).ToList();
        sb.AppendLine($"<p class=\"summary\"><strong>{completed}/{statuses.Count}</strong> trials completed; <strong>{verdicts.Count(c => c.Passed)}/{verdicts.Count}</strong> claim verdicts passed. "
            + $"Profile <code>{Reports.Html.E(m.Profile)}</code>, axes {string.Join(" × ", axes.Select(a => $"<code>{Reports.Html.E(a)}</code>"))}"
            + $"{(axes.Count == 0 ? "none" : "")}, seeds {string.Join(", ", m.Trials.Select(t => t.Seed).Distinct())}.</p>");
        foreach (var (state, count) in statuses.GroupBy(s => s.State).Where(g => g.Key != TrialState.Completed).Select(g => (g.Key, g.Count())))
            sb.AppendLine($"<p class=\"error\">{count} trial(s) {state.ToString().ToLowerInvariant()}: not in the figures (see the trials table; <code>noether sweep run</code> finishes them).</p>");

        sb.AppendLine("<h2 id=\"figures\">Figures</h2>");
        if (figures.Count == 0) sb.AppendLine("<p>No completed trial yet, or no axis: nothing to plot.</p>");
        foreach (var f in figures) ReportHtml.AppendFigure(sb, f);
        if (metrics.Count == 0) sb.AppendLine("<p class=\"details\">Add a metric's final value against the axes with <code>noether sweep report DIR --metric NAME</code>.</p>");

        sb.AppendLine("<h2 id=\"points\">Claims at each point</h2>");
        var summary = SweepCollector.Summarise(m, statuses);
        var claimIds = summary.Select(r => r.Claim).Distinct().ToList();
        sb.AppendLine("<table id=\"points-table\"><thead><tr><th>point</th>" + string.Concat(claimIds.Select(c => $"<th>{Reports.Html.E(c)}</th>")) + "</tr></thead><tbody>");
        foreach (var point in summary.GroupBy(r => r.Point))
        {
            sb.Append($"<tr><td class=\"id\">{Reports.Html.E(point.Key)}</td>");
            foreach (var id in claimIds)
            {
                var r = point.FirstOrDefault(x => x.Claim == id);
                sb.Append(r is null ? "<td></td>" : $"<td class=\"num\"><span class=\"{(r.Passed == r.Trials ? "status ok" : "status bad")}\">{r.Passed}/{r.Trials}</span> "
                    + $"{(r.Mean is { } mean ? Reports.Html.Number(mean) : "")}</td>");
            }
            sb.AppendLine("</tr>");
        }
        sb.AppendLine("</tbody></table><p class=\"details\">Each cell: passed/trials over seeds, then the mean measured value.</p>");

        sb.AppendLine("<h2 id=\"trials\">Trials</h2>");
        sb.AppendLine("<table id=\"trials-table\"><thead><tr><th>#</th><th>trial</th><th>status</th><th>claims</th><th>time</th></tr></thead><tbody>");
        foreach (var s in statuses)
        {
            string rel = $"{SweepManifest.TrialsFolder}/{s.Trial.Name}/{ReportHtml.FileName}";
            string name = File.Exists(Path.Combine(m.TrialDirectory(s.Trial), ReportHtml.FileName))
                ? $"<a href=\"{Reports.Html.E(rel)}\">{Reports.Html.E(s.Trial.Name)}</a>" : Reports.Html.E(s.Trial.Name);
            string claims = s.Record is { Claims.Count: > 0 } rec ? $"{rec.Claims.Select(ExperimentRunner.FromRecord).Count(c => c.Passed)}/{rec.Claims.Count}" : "";
            sb.AppendLine($"<tr><td class=\"num\">{s.Trial.Index.ToString(CultureInfo.InvariantCulture)}</td><td>{name}</td><td>{Reports.Html.Status(s.State.ToString().ToLowerInvariant())}</td>"
                + $"<td class=\"num\">{claims}</td><td class=\"num\">{Reports.Html.Seconds(s.Record?.Seconds)}</td></tr>");
        }
        sb.AppendLine("</tbody></table>");
        sb.AppendLine($"<p class=\"details\">Written by Noether {Reports.Html.E(ExperimentRunner.Version)} from the trial folders alone; rebuild with <code>noether sweep report {Reports.Html.E(m.Directory)}</code>. "
            + $"Every number is also in <code>{SweepCollector.FileName}</code> (<code>noether sweep collect</code>).</p>");
        return Reports.Html.End(sb);
    }
}
