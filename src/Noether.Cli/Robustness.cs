using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Noether.Experiments;
using Noether.Reports;
using Noether.Runs;
using Spectre.Console;

namespace Noether.Cli;

/// <summary>
/// Robustness over run seeds: `run … --seeds K`, `reproduce --seeds K` (K run seeds, one folder
/// seed-&lt;s&gt; each) and `summarize DIR…` (the same table from folders already on disk). Per claim: k/K
/// passes and the min/median/max of the measured value, paper claims and checks apart.
/// </summary>
public static class Robustness
{
    public const string MarkdownName = "seeds.md";

    public static Option<int?> SeedsOption() => new("--seeds")
    {
        Description = "Run with K run seeds (--seed, --seed + step, …), one folder seed-<s> each, and report per claim how many seeds pass and the spread of its value",
    };

    public static Option<long> SeedStepOption() => new("--seed-step")
    {
        Description = "Distance between the run seeds of --seeds. Member i of a population uses run seed + i, so runs whose seeds differ by less than the members per condition share members; a step of at least that makes the seeds independent",
        DefaultValueFactory = _ => 1,
    };

    public static string SeedFolder(long seed) => "seed-" + seed.ToString(CultureInfo.InvariantCulture);

    /// <summary>The run seeds asked for with --seeds (null without it).</summary>
    public static IReadOnlyList<long>? SeedList(ParseResult r, Option<int?> seeds, Option<long> step, long first)
    {
        if (r.GetValue(seeds) is not { } k) return null;
        if (k < 1) throw new ArgumentException($"--seeds {k}: expected a number of seeds of at least 1");
        long d = r.GetValue(step);
        if (d < 1) throw new ArgumentException($"--seed-step {d}: expected at least 1");
        return Enumerable.Range(0, k).Select(i => checked(first + i * d)).ToList();
    }

    /// <summary>`run ID --seeds K`: the experiment once per seed into &lt;out&gt;/seed-&lt;s&gt;, then the robustness table.</summary>
    public static int RunExperimentSeeds(RunRequest request, IReadOnlyList<long> seeds, Interrupt interrupt, bool noFail)
    {
        string dir = request.OutputDirectory ?? Path.Combine(request.RunsRoot,
            $"{request.ExperimentId}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-seeds{seeds.Count}");
        RunRequest At(long s) => request with { Seed = s, OutputDirectory = Path.Combine(dir, SeedFolder(s)) };
        OutputFolder.Check(dir);
        foreach (var s in seeds) ExperimentRunner.CheckOutput(At(s));
        OutputFolder.Claim(dir);
        // A signal stops the current seed's run at its next safe point (checkpointed, resumable with run --resume seed-<s>).
        return RunSeeds(dir, seeds, s => [Commands.Execute(At(s), CancellationToken.None)], interrupt, noFail);
    }

    /// <summary>
    /// Runs <paramref name="runSeed"/> for each seed in turn (stopping after the seed a signal arrived in),
    /// then prints and writes the robustness table into <paramref name="dir"/>.
    /// </summary>
    public static int RunSeeds(string dir, IReadOnlyList<long> seeds, Func<long, IReadOnlyList<RunResult>> runSeed, Interrupt interrupt, bool noFail)
    {
        var all = new List<(long Seed, IReadOnlyList<RunResult> Results)>();
        foreach (var s in seeds)
        {
            Console.WriteLine($"seed {s} ({all.Count + 1}/{seeds.Count})");
            var results = runSeed(s);
            all.Add((s, results));
            if (interrupt.ExitCode is not null) return Commands.Interrupted(interrupt, results);
        }
        return Report(dir, all, noFail);
    }

    /// <summary>Prints the table, writes seeds.md, summary.json and index.html into <paramref name="dir"/>; exit 0 only if every claim passed on every seed.</summary>
    public static int Report(string dir, IReadOnlyList<(long Seed, IReadOnlyList<RunResult> Results)> runs, bool noFail)
    {
        var seedRuns = runs.SelectMany(x => x.Results.Select(r =>
            new ClaimRobustness.SeedRun(x.Seed, r.Record.Experiment, r.Record.Status, r.Record.Status == RunStatus.Completed ? r.Claims : []))).ToList();
        var seeds = runs.Select(x => x.Seed).ToList();
        var rows = ClaimRobustness.Of(seedRuns);
        Print(rows, seeds);
        Write(dir, rows, seeds);
        AnsiConsole.MarkupLine($"summary: [blue]{Markup.Escape(Path.Combine(dir, MarkdownName))}[/]");
        bool complete = runs.All(x => x.Results.All(r => r.Record.Status == RunStatus.Completed));
        if (!complete) return Commands.ClaimsFailed;
        return noFail || rows.All(r => r.Robust) ? Commands.Ok : Commands.ClaimsFailed;
    }

    public static void Print(IReadOnlyList<ClaimSpread> rows, IReadOnlyList<long> seeds)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("experiment").AddColumn("claim").AddColumn("kind").AddColumn("test")
            .AddColumn(new TableColumn("passed").RightAligned()).AddColumn(new TableColumn("min").RightAligned())
            .AddColumn(new TableColumn("median").RightAligned()).AddColumn(new TableColumn("max").RightAligned()).AddColumn("failing seeds");
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Experiment), Markup.Escape(r.Id), r.Kind == ClaimKind.Check ? "[grey]check[/]" : "claim", Markup.Escape(r.Test),
                r.Robust ? $"[green]{r.Rate}[/]" : $"[red]{r.Rate}[/]", ClaimRobustness.Format(r.Min), ClaimRobustness.Format(r.Median), ClaimRobustness.Format(r.Max),
                Markup.Escape(string.Join(", ", r.FailingSeeds)));
        AnsiConsole.Write(table);
        bool all = rows.All(r => r.Robust);
        AnsiConsole.MarkupLine($"{(all ? "[green]" : "[red]")}{Markup.Escape(ClaimRobustness.Headline(rows, seeds))}[/]");
    }

    /// <summary>seeds.md, summary.json ({version, seeds, claims}) and index.html (the table, with links to each seed's own index).</summary>
    public static void Write(string dir, IReadOnlyList<ClaimSpread> rows, IReadOnlyList<long> seeds)
    {
        // A seed folder of `run --seeds` is a run folder (report.html); one of `reproduce --seeds` holds index.html.
        var links = seeds.Select(s => (s, Uri.EscapeDataString(SeedFolder(s)) + "/"
            + (File.Exists(Path.Combine(dir, SeedFolder(s), ReportHtml.FileName)) ? ReportHtml.FileName : IndexHtml.FileName))).ToList();
        string header = $"# Noether: claims over {ClaimRobustness.SeedText(seeds)}\n\nVersion {ExperimentRunner.Version}; {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}. "
            + "A claim passes on a seed when its run completed and its verdict was PASS; a claim is robust when it passes on every seed.\n\n";
        AtomicFile.WriteAllText(Path.Combine(dir, MarkdownName), header + ClaimRobustness.Markdown(rows, seeds));
        var json = new { version = ExperimentRunner.Version, seeds, headline = ClaimRobustness.Headline(rows, seeds), claims = rows };
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.json"), JsonSerializer.Serialize(json, RunRecord.Json));
        AtomicFile.WriteAllText(Path.Combine(dir, IndexHtml.FileName), ClaimRobustness.Html(rows, seeds, links));
    }

    /// <summary>`noether summarize DIR…`: the robustness table of runs already on disk.</summary>
    public static Command SummarizeCommand()
    {
        var cmd = new Command("summarize", "Summarise claims over the runs in folders on disk (run, reproduce or --seeds folders): per claim, seeds passed and the spread of its value.");
        var dirs = new Argument<string[]>("dirs") { Description = "Folders holding run folders (searched two levels down)", Arity = ArgumentArity.OneOrMore };
        var markdown = new Option<string?>("--markdown") { Description = "Also write the table as Markdown to this file" };
        cmd.Arguments.Add(dirs);
        cmd.Options.Add(markdown);
        cmd.SetAction(r =>
        {
            // Never over a file Noether did not write: the table goes to a new file only (checked before anything is printed).
            string? file = r.GetValue(markdown);
            if (file is not null && Directory.Exists(file)) throw new ArgumentException($"--markdown '{file}' is a folder; expected a new file path");
            if (file is not null && File.Exists(file)) throw new ArgumentException($"--markdown '{file}' already exists; expected a new file path (remove it first to replace it)");
            var runs = ClaimRobustness.Load(r.GetValue(dirs)!);
            var rows = ClaimRobustness.Of(runs);
            var seeds = runs.Select(x => x.Seed).Distinct().Order().ToList();
            Print(rows, seeds);
            if (file is not null)
            {
                File.WriteAllText(file, ClaimRobustness.Markdown(rows, seeds));
                AnsiConsole.MarkupLine($"markdown: [blue]{Markup.Escape(file)}[/]");
            }
            return rows.All(x => x.Robust) ? Commands.Ok : Commands.ClaimsFailed;
        });
        return cmd;
    }
}
