using Noether.Experiments;
using Spectre.Console;

namespace Noether.Cli;

/// <summary>The claims of one or more runs as a coloured table.</summary>
public static class ClaimTable
{
    public static void Print(IReadOnlyList<RunResult> results, bool statements = true)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("experiment").AddColumn("claim").AddColumn("kind").AddColumn(new TableColumn("measured").RightAligned())
            .AddColumn("test").AddColumn("verdict");
        foreach (var r in results)
        {
            if (r.Claims.Count == 0)
                table.AddRow(Markup.Escape(r.Record.Experiment), Markup.Escape(r.Record.Error ?? "no claims"), "", "", "", "[red]" + r.Record.Status.ToUpperInvariant() + "[/]");
            foreach (var c in r.Claims)
                table.AddRow(Markup.Escape(r.Record.Experiment), Markup.Escape(c.Id), c.Kind == ClaimKind.Check ? "[grey]check[/]" : "claim", Claim.Format(c.Measured),
                    Markup.Escape($"{c.ComparisonText} {c.ThresholdText}"), c.Passed ? "[green]PASS[/]" : "[red]FAIL[/]");
        }
        AnsiConsole.Write(table);
        if (statements)
            foreach (var r in results)
                foreach (var c in r.Claims)
                    AnsiConsole.MarkupLine($"[bold]{Markup.Escape(c.Id)}[/]: {Markup.Escape(c.Statement)}[grey]{Markup.Escape(c.Details is null ? "" : " — " + c.Details)}[/]");
        var counts = ClaimCounts.Of(results.SelectMany(r => r.Claims));
        AnsiConsole.MarkupLine($"{(counts.AllPassed ? "[green]" : "[red]")}{counts}[/]");
    }
}
