using System.Text;
using System.Text.Json;
using Noether.Experiments;
using Noether.Runs;

namespace Noether.Cli;

/// <summary>The Markdown and JSON summary `reproduce` leaves next to the run folders.</summary>
public static class Summary
{
    public static void Write(string dir, IReadOnlyList<RunResult> results)
    {
        var md = new StringBuilder();
        md.AppendLine("# Noether reproduction summary").AppendLine();
        md.AppendLine($"{ClaimCounts.Of(results.SelectMany(r => r.Claims))}; version {ExperimentRunner.Version}; {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}.").AppendLine();
        md.AppendLine("| experiment | paper | status | seconds | claim | kind | measured | test | verdict |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var rec = r.Record;
            string paper = rec.Paper is null ? "" : $"[{rec.Paper.Arxiv}](https://arxiv.org/abs/{rec.Paper.Arxiv})";
            if (r.Claims.Count == 0)
                md.AppendLine($"| {rec.Experiment} | {paper} | {rec.Status} | {rec.Seconds:0.0} | — | | | | {Cell(rec.Error ?? "")} |");
            foreach (var c in r.Claims)
                md.AppendLine($"| {rec.Experiment} | {paper} | {rec.Status} | {rec.Seconds:0.0} | {c.Id} | {c.Kind} | {Claim.Format(c.Measured)} | {c.ComparisonText} {c.ThresholdText} | {(c.Passed ? "PASS" : "FAIL")} |");
        }
        md.AppendLine().AppendLine("## Statements").AppendLine();
        foreach (var r in results)
            foreach (var c in r.Claims)
                md.AppendLine($"- **{r.Record.Experiment} {c.Id}**: {Cell(c.Statement)}{(c.Details is null ? "" : $" ({Cell(c.Details)})")}");
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.md"), md.ToString());
        var json = results.Select(r => new { run = Path.GetFileName(r.Directory), record = r.Record });
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.json"), JsonSerializer.Serialize(json, RunRecord.Json));
    }

    private static string Cell(string s) => s.Replace("|", "\\|").ReplaceLineEndings(" ");
}
