using Noether.Runs;

namespace Noether.Reports;

/// <summary>
/// index.html of a `reproduce` folder: one row per experiment (its run folder below), with its paper,
/// status, time, every claim with its measured value and verdict, and a link to its report.html.
/// Read from disk, like the reports it links.
/// </summary>
public static class IndexHtml
{
    public const string FileName = "index.html";

    /// <summary>The run folders directly below <paramref name="directory"/> (those holding run.json), in the order they ran.</summary>
    public static IReadOnlyList<string> RunFolders(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetDirectories(directory).Where(d => File.Exists(Path.Combine(d, "run.json"))).Order(StringComparer.Ordinal).ToList()
            : [];

    public static string Write(string directory)
    {
        var rows = new List<(string Dir, RunFolder? Run, string? Error)>();
        foreach (var dir in RunFolders(directory))
        {
            try { rows.Add((dir, RunFolder.Load(dir), null)); }
            catch (Exception e) when (e is FormatException or IOException) { rows.Add((dir, null, e.Message)); }
        }
        rows = rows.OrderBy(r => r.Run?.Record.Started ?? DateTimeOffset.MaxValue).ToList();

        var counts = Experiments.ClaimCounts.Of(rows.SelectMany(r => r.Run?.Claims ?? []));
        var sb = Html.Begin("Noether reproduction");
        sb.AppendLine("<h1>Noether reproduction</h1>");
        sb.AppendLine($"<p class=\"summary\"><strong>{counts}</strong> across {rows.Count} experiment(s). "
            + $"Each experiment links to its full report (figures, config, timings). Version {Html.E(Experiments.ExperimentRunner.Version)}.</p>");
        sb.AppendLine("<table id=\"experiments\"><thead><tr><th>experiment</th><th>paper</th><th>status</th><th>time</th><th>claims</th><th>report</th></tr></thead><tbody>");
        foreach (var (dir, run, error) in rows)
        {
            string name = Path.GetFileName(dir);
            if (run is null)
            {
                sb.AppendLine($"<tr><td>{Html.E(name)}</td><td></td><td>{Html.Status("unreadable")}</td><td></td><td>{Html.E(error)}</td><td></td></tr>");
                continue;
            }
            var rec = run.Record;
            sb.Append($"<tr><td><strong>{Html.E(rec.Experiment)}</strong><div class=\"details\">{Html.E(rec.Title)}</div></td>");
            sb.Append(rec.Paper is { } p ? $"<td>{Html.E(p.Title)}<div class=\"details\">{Html.E(p.Authors)} · {Html.ArxivLink(p.Arxiv)}</div></td>" : "<td></td>");
            sb.Append($"<td>{Html.Status(rec.Status)}{(rec.Error is null ? "" : $"<div class=\"details\">{Html.E(rec.Error)}</div>")}</td>");
            sb.Append($"<td class=\"num\">{Html.Seconds(rec.Seconds)}</td><td><ul class=\"claims\">");
            foreach (var c in run.Claims)
                sb.Append($"<li>{Html.Verdict(c.Passed)} <strong class=\"id\">{Html.E(c.Id)}</strong>{(c.Kind == Experiments.ClaimKind.Check ? " <span class=\"details\">(check)</span>" : "")} {Html.Number(c.Measured)} <span class=\"details\">({Html.E(c.ComparisonText)} {Html.E(c.ThresholdText)})</span></li>");
            sb.Append("</ul></td>");
            bool hasReport = File.Exists(Path.Combine(dir, ReportHtml.FileName));
            string link = Uri.EscapeDataString(name) + "/" + ReportHtml.FileName;
            sb.AppendLine(hasReport ? $"<td><a href=\"{link}\">report</a></td></tr>" : "<td>no report</td></tr>");
        }
        sb.AppendLine("</tbody></table>");
        if (File.Exists(Path.Combine(directory, "summary.md")))
            sb.AppendLine("<p class=\"details\">The same table in Markdown: <a href=\"summary.md\">summary.md</a>.</p>");
        string path = Path.Combine(directory, FileName);
        AtomicFile.WriteAllText(path, Html.End(sb));
        return path;
    }
}
