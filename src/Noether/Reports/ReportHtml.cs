using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Noether.Experiments;

namespace Noether.Reports;

/// <summary>A figure as it goes into a report: drawn, or the reason it could not be.</summary>
public sealed record ReportFigure(Figure Figure, RenderedFigure? Rendered, string? Error);

/// <summary>
/// report.html of one run: experiment, paper, the claims table (statement, measured value, test,
/// verdict), status and error, figures embedded as PNG data URIs, resolved config, extra numbers,
/// timings and exported files. One self-contained file: it can be mailed and opened offline.
/// </summary>
public static class ReportHtml
{
    public const string FileName = "report.html";

    /// <summary>The id of the claims table, for people and the browser test that look for it.</summary>
    public const string ClaimsTableId = "claims";

    public static string Build(RunFolder run, IReadOnlyList<ReportFigure> figures, IReadOnlyList<string> exports)
    {
        var rec = run.Record;
        var claims = run.Claims;
        var sb = Html.Begin($"{rec.Experiment}: {rec.Title}");
        sb.AppendLine($"<h1>{Html.E(rec.Experiment)}: {Html.E(rec.Title)}</h1>");
        if (rec.Paper is { } paper)
            sb.AppendLine($"<p class=\"sub\">Reproduces <em>{Html.E(paper.Title)}</em> — {Html.E(paper.Authors)} ({Html.ArxivLink(paper.Arxiv)})</p>");

        sb.AppendLine($"<p class=\"summary\">Status {Html.Status(rec.Status)}; <strong>{Experiments.ClaimCounts.Of(claims)}</strong>; "
            + $"profile <code>{Html.E(rec.Profile)}</code>, seed {rec.Seed}, {Html.Seconds(rec.Seconds)}.</p>");
        if (rec.Error is not null)
        {
            string lead = rec.Error.StartsWith(rec.Status, StringComparison.Ordinal) ? "" : $"<strong>{Html.E(rec.Status)}:</strong> ";
            sb.AppendLine($"<div class=\"error\">{lead}{Html.E(rec.Error)}");
            if (run.ErrorDetails is { } details)
                sb.AppendLine($"<details><summary>details (error.txt)</summary><pre>{Html.E(details)}</pre></details>");
            sb.AppendLine("</div>");
        }

        sb.AppendLine("<h2 id=\"claims-section\">Claims</h2>");
        sb.AppendLine($"<table id=\"{ClaimsTableId}\"><thead><tr><th>claim</th><th>kind</th><th>statement</th><th>measured</th><th>test</th><th>verdict</th></tr></thead><tbody>");
        if (claims.Count == 0) sb.AppendLine($"<tr><td colspan=\"6\">This run produced no claims ({Html.E(rec.Status)}).</td></tr>");
        foreach (var c in claims)
        {
            sb.Append($"<tr><td class=\"id\">{Html.E(c.Id)}</td><td>{Html.E(c.Kind)}</td><td>{Html.E(c.Statement)}");
            // Per-seed details can be long (one line per seed and condition): collapsed, so the figures stay near the top.
            if (c.Details is not null) sb.Append($"<details class=\"details\"><summary>details</summary>{Html.E(c.Details)}</details>");
            sb.AppendLine($"</td><td class=\"num\">{Html.Number(c.Measured)}</td><td class=\"test\">{Html.E(c.ComparisonText)} {Html.E(c.ThresholdText)}</td><td>{Html.Verdict(c.Passed)}</td></tr>");
        }
        sb.AppendLine("</tbody></table>");

        sb.AppendLine("<h2 id=\"figures\">Figures</h2>");
        if (figures.Count == 0) sb.AppendLine("<p>This run declared no figures and logged no metrics.</p>");
        else if (run.Figures.Count == 0)
            sb.AppendLine("<p>The run ended before declaring its figures; these are its logged metrics over steps, one line per member.</p>");
        foreach (var f in figures) AppendFigure(sb, f);

        if (run.Extra.Count > 0)
        {
            sb.AppendLine("<h2 id=\"extra\">Other measurements</h2><table><tbody>");
            foreach (var (name, value) in run.Extra.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                sb.AppendLine($"<tr><td>{Html.E(name)}</td><td class=\"num\">{Html.Number(value)}</td></tr>");
            sb.AppendLine("</tbody></table>");
        }

        sb.AppendLine("<h2 id=\"config\">Resolved config</h2>");
        sb.AppendLine("<table><thead><tr><th>key</th><th>value</th><th>meaning</th></tr></thead><tbody>");
        var meanings = Meanings(rec.Experiment);
        foreach (var (key, value) in Flatten(rec.Config, ""))
            sb.AppendLine($"<tr><td><code>{Html.E(key)}</code></td><td class=\"num\">{Html.E(value)}</td><td>{Html.E(meanings.GetValueOrDefault(key))}</td></tr>");
        sb.AppendLine("</tbody></table>");

        sb.AppendLine("<h2 id=\"run\">Run</h2><dl class=\"meta\">");
        Meta(sb, "started", rec.Started.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        Meta(sb, "finished", rec.Finished?.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) ?? "—");
        Meta(sb, "version", rec.Version);
        Meta(sb, "threads", rec.Threads.ToString(CultureInfo.InvariantCulture));
        Meta(sb, "machine", rec.Machine);
        Meta(sb, "folder", Path.GetFullPath(run.Directory));
        sb.AppendLine("</dl>");
        if (rec.Timings.Count > 0)
        {
            sb.AppendLine("<table><thead><tr><th>phase</th><th>wall time</th></tr></thead><tbody>");
            foreach (var (phase, seconds) in rec.Timings.OrderBy(kv => kv.Key == "total").ThenBy(kv => kv.Key, StringComparer.Ordinal))
                sb.AppendLine($"<tr><td>{Html.E(phase)}</td><td class=\"num\">{Html.Seconds(seconds)}</td></tr>");
            sb.AppendLine("</tbody></table>");
        }

        sb.AppendLine("<h2 id=\"files\">Files</h2><ul>");
        foreach (var line in exports) sb.AppendLine($"<li>{line}</li>");
        sb.AppendLine("</ul>");
        sb.AppendLine($"<p class=\"details\">Written by Noether {Html.E(ExperimentRunner.Version)} from the run folder alone; rebuild with <code>noether report {Html.E(run.Directory)}</code>.</p>");
        return Html.End(sb);
    }

    /// <summary>A drawn figure (PNG data URI) with its caption, or the reason it could not be drawn.</summary>
    public static void AppendFigure(StringBuilder sb, ReportFigure f)
    {
        sb.AppendLine($"<figure id=\"fig-{Html.E(f.Figure.Id)}\">");
        if (f.Rendered is { } r)
            sb.AppendLine($"<img width=\"{r.Width}\" height=\"{r.Height}\" alt=\"{Html.E(f.Figure.Title)}\" src=\"data:image/png;base64,{Convert.ToBase64String(r.Png)}\">");
        else
            sb.AppendLine($"<div class=\"error\">Could not draw this figure: {Html.E(f.Error)}</div>");
        // The title is drawn in the image; the caption says what to look for.
        sb.Append($"<figcaption>{Html.E(f.Rendered is null ? f.Figure.Title + ". " : "")}{Html.E(f.Figure.Caption)}");
        if (f.Rendered?.Note is { } note) sb.Append($" <em>{Html.E(note)}</em>");
        sb.AppendLine("</figcaption></figure>");
    }

    private static void Meta(StringBuilder sb, string name, string value) => sb.AppendLine($"<dt>{Html.E(name)}</dt><dd>{Html.E(value)}</dd>");

    /// <summary>The nested config as dotted keys (balance.sgd_steps) with their JSON values.</summary>
    public static IEnumerable<(string Key, string Value)> Flatten(JsonObject obj, string prefix)
    {
        foreach (var (name, node) in obj)
        {
            if (node is JsonObject child)
                foreach (var kv in Flatten(child, prefix + name + ".")) yield return kv;
            else
                yield return (prefix + name, node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "null");
        }
    }

    /// <summary>Each key's [Param] description, when the experiment is still registered (the values come from disk).</summary>
    private static Dictionary<string, string> Meanings(string experimentId)
    {
        if (Registry.Find(experimentId) is not { } experiment) return [];
        var config = experiment.CreateConfig("quick");
        return ConfigBinder.Describe(config).Where(d => d.Param is not null).ToDictionary(d => d.Key, d => d.Param!.Description);
    }
}
