using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Noether.Experiments;
using Noether.Runs;

namespace Noether.Reports;

/// <summary>One claim over several run seeds: how often it passed and how its measured value spread.</summary>
public sealed record ClaimSpread(
    [property: JsonPropertyName("experiment")] string Experiment,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("test")] string Test,
    [property: JsonPropertyName("passed")] int Passed,
    [property: JsonPropertyName("seeds")] int Seeds,
    [property: JsonPropertyName("min")] double? Min,
    [property: JsonPropertyName("median")] double? Median,
    [property: JsonPropertyName("max")] double? Max,
    [property: JsonPropertyName("failing_seeds")] IReadOnlyList<long> FailingSeeds)
{
    /// <summary>Passed on every seed it was asked on (a seed whose run did not produce the claim counts as failing).</summary>
    [JsonIgnore] public bool Robust => Passed == Seeds;
    [JsonIgnore] public string Rate => $"{Passed}/{Seeds}";
}

/// <summary>
/// Robustness over run seeds: the same experiments run with K run seeds, summarised per claim as k/K
/// passes and the min/median/max of the measured value. A seed on which an experiment ran but a claim
/// is missing (the run failed or was interrupted) counts against that claim. Checks are kept apart
/// from paper claims, as everywhere else.
/// </summary>
public static class ClaimRobustness
{
    /// <summary>One experiment's run at one seed: its status and claims (empty when it did not complete).</summary>
    public sealed record SeedRun(long Seed, string Experiment, string Status, IReadOnlyList<Claim> Claims);

    public static IReadOnlyList<ClaimSpread> Of(IEnumerable<SeedRun> runs)
    {
        var byExperiment = runs.GroupBy(r => r.Experiment, StringComparer.Ordinal);
        var rows = new List<ClaimSpread>();
        foreach (var exp in byExperiment)
        {
            var seeds = exp.Select(r => r.Seed).Distinct().Order().ToList();
            // Claims in the order the experiment declares them (first seed that has each).
            var ids = exp.OrderBy(r => r.Seed).SelectMany(r => r.Claims).Select(c => c.Id).Distinct(StringComparer.Ordinal).ToList();
            foreach (var id in ids)
            {
                var found = exp.SelectMany(r => r.Claims.Where(c => c.Id == id).Select(c => (r.Seed, Claim: c))).ToList();
                var first = found[0].Claim;
                var values = found.Select(f => f.Claim.Measured).Where(double.IsFinite).Order().ToList();
                var failing = seeds.Where(s => !found.Any(f => f.Seed == s && f.Claim.Passed)).ToList();
                rows.Add(new ClaimSpread(exp.Key, id, first.Kind, $"{first.ComparisonText} {first.ThresholdText}",
                    seeds.Count - failing.Count, seeds.Count,
                    values.Count > 0 ? values[0] : null, values.Count > 0 ? Median(values) : null, values.Count > 0 ? values[^1] : null, failing));
            }
            if (ids.Count == 0)
                rows.Add(new ClaimSpread(exp.Key, "(no claims)", ClaimKind.Claim, "", 0, seeds.Count, null, null, null, seeds));
        }
        return rows;
    }

    private static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : 0.5 * (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]);

    /// <summary>"72/78 paper claims and 16/16 checks pass on every seed (seeds 1–10)".</summary>
    public static string Headline(IReadOnlyList<ClaimSpread> rows, IReadOnlyList<long> seeds)
    {
        var claims = rows.Where(r => r.Kind != ClaimKind.Check).ToList();
        var checks = rows.Where(r => r.Kind == ClaimKind.Check).ToList();
        string text = $"{claims.Count(r => r.Robust)}/{claims.Count} paper claims";
        if (checks.Count > 0) text += $" and {checks.Count(r => r.Robust)}/{checks.Count} checks";
        return text + $" pass on every seed ({SeedText(seeds)})";
    }

    /// <summary>"seeds 1–10" for a contiguous range, otherwise the list.</summary>
    public static string SeedText(IReadOnlyList<long> seeds) =>
        seeds.Count == 0 ? "no seeds" :
        seeds.Count == 1 ? $"seed {seeds[0]}" :
        seeds[^1] - seeds[0] == seeds.Count - 1 && seeds.SequenceEqual(seeds.Order()) ? $"seeds {seeds[0]}–{seeds[^1]}" :
        "seeds " + string.Join(", ", seeds);

    public static string Format(double? v) => v is { } x ? Claim.Format(x) : "—";

    /// <summary>The table as Markdown: one row per claim, fragile rows (k &lt; K) marked.</summary>
    public static string Markdown(IReadOnlyList<ClaimSpread> rows, IReadOnlyList<long> seeds)
    {
        var md = new StringBuilder();
        md.AppendLine(Headline(rows, seeds) + ".").AppendLine();
        md.AppendLine("| experiment | claim | kind | test | passed | min | median | max | failing seeds |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            md.AppendLine($"| {r.Experiment} | {r.Id} | {r.Kind} | {r.Test.Replace("|", "\\|")} | {(r.Robust ? r.Rate : $"**{r.Rate}**")} | {Format(r.Min)} | {Format(r.Median)} | {Format(r.Max)} | {string.Join(", ", r.FailingSeeds)} |");
        return md.ToString();
    }

    /// <summary>index.html of a --seeds folder: the table, fragile claims marked, and a link to each seed's own index or report.</summary>
    public static string Html(IReadOnlyList<ClaimSpread> rows, IReadOnlyList<long> seeds, IReadOnlyList<(long Seed, string Href)> links)
    {
        var sb = Reports.Html.Begin("Noether: claims over seeds");
        sb.AppendLine($"<h1>Claims over {Reports.Html.E(SeedText(seeds))}</h1>");
        sb.AppendLine($"<p class=\"summary\"><strong>{Reports.Html.E(Headline(rows, seeds))}</strong>. A claim passes on a seed when its run completed with PASS. Version {Reports.Html.E(ExperimentRunner.Version)}.</p>");
        sb.AppendLine("<table id=\"robustness\"><thead><tr><th>experiment</th><th>claim</th><th>kind</th><th>test</th><th>passed</th><th>min</th><th>median</th><th>max</th><th>failing seeds</th></tr></thead><tbody>");
        foreach (var r in rows)
            sb.AppendLine($"<tr><td>{Reports.Html.E(r.Experiment)}</td><td class=\"id\">{Reports.Html.E(r.Id)}</td><td>{Reports.Html.E(r.Kind)}</td><td class=\"test\">{Reports.Html.E(r.Test)}</td>"
                + $"<td class=\"num\"><span class=\"{(r.Robust ? "pass" : "fail")}\">{r.Rate}</span></td><td class=\"num\">{Format(r.Min)}</td><td class=\"num\">{Format(r.Median)}</td><td class=\"num\">{Format(r.Max)}</td>"
                + $"<td>{Reports.Html.E(string.Join(", ", r.FailingSeeds))}</td></tr>");
        sb.AppendLine("</tbody></table><h2>Each seed</h2><ul>");
        foreach (var (seed, href) in links)
            sb.AppendLine($"<li><a href=\"{Reports.Html.E(href)}\">seed {seed}</a></li>");
        sb.AppendLine("</ul>");
        return Reports.Html.End(sb);
    }

    /// <summary>
    /// Reads the runs below <paramref name="directories"/>: each may be a run folder, a reproduce folder
    /// (run folders one level down) or a folder of such folders (e.g. seed-1/, seed-2/ …). A run.json that
    /// cannot be read is an error naming the file, never silently skipped.
    /// </summary>
    public static IReadOnlyList<SeedRun> Load(IEnumerable<string> directories)
    {
        var runs = new List<SeedRun>();
        foreach (var dir in directories)
        {
            if (!Directory.Exists(dir))
                throw Path.Exists(dir)
                    ? new FormatException($"{dir} is a file, not a folder; expected a run, reproduce or seeds folder")
                    : new DirectoryNotFoundException($"{dir}: no such folder; expected a run, reproduce or seeds folder");
            var found = RunFolders(dir, depth: 3).ToList();
            if (found.Count == 0) throw new FormatException($"{dir}: no run.json in it or in the two levels below; expected a run, reproduce or seeds folder");
            foreach (var run in found)
            {
                var rec = RunRecord.Load(run);
                var claims = rec.Claims.Select(ExperimentRunner.FromRecord).ToList();
                runs.Add(new SeedRun(rec.Seed, rec.Experiment, rec.Status, rec.Status == RunStatus.Completed ? claims : []));
            }
        }
        var duplicate = runs.GroupBy(r => (r.Experiment, r.Seed)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new FormatException($"{duplicate.Key.Experiment} at seed {duplicate.Key.Seed.ToString(CultureInfo.InvariantCulture)} appears {duplicate.Count()} times; expected one run per experiment and seed");
        return runs;
    }

    private static IEnumerable<string> RunFolders(string dir, int depth)
    {
        if (File.Exists(Path.Combine(dir, "run.json"))) { yield return dir; yield break; }
        if (depth == 0) yield break;
        foreach (var sub in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
            foreach (var run in RunFolders(sub, depth - 1)) yield return run;
    }
}
