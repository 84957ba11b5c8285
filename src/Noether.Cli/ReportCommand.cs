using System.CommandLine;
using Noether.Reports;
using Spectre.Console;

namespace Noether.Cli;

/// <summary>
/// `noether report &lt;run-dir&gt;`: rebuilds plots, TensorBoard files and report.html from a run folder
/// on disk (or, for a `reproduce` folder, every run below it and index.html). Also the hook that
/// writes a report at the end of every run.
/// </summary>
public static class ReportCommand
{
    public static Command Build()
    {
        var cmd = new Command("report", "Rebuild plots and report.html of a run folder, of every run in a reproduce folder, or of a sweep folder, from disk alone.");
        var dir = new Argument<string>("run-dir") { Description = "A run folder (holding run.json), a reproduce folder or a sweep folder (holding manifest.json)" };
        var format = FigureFormatOption();
        cmd.Arguments.Add(dir);
        cmd.Options.Add(format);
        cmd.SetAction(r =>
        {
            Formats = FigureFormat.Parse(r.GetValue(format));
            string path = r.GetValue(dir)!;
            if (File.Exists(Path.Combine(path, Noether.Sweeps.SweepManifest.FileName)))
            {
                SweepCommand.WriteReport(Noether.Sweeps.SweepManifest.Load(path), []);
                return Commands.Ok;
            }
            if (!File.Exists(Path.Combine(path, "run.json")) && IndexHtml.RunFolders(path).Count > 0)
            {
                foreach (var run in IndexHtml.RunFolders(path)) Print(RunReport.Build(run, Formats));
                AnsiConsole.MarkupLine($"index: [blue]{Markup.Escape(IndexHtml.Write(path))}[/]");
                return Commands.Ok;
            }
            Print(RunReport.Build(path, Formats));
            return Commands.Ok;
        });
        return cmd;
    }

    /// <summary>The figure files this command writes (<c>--figure-format</c>); PNG and SVG unless asked otherwise.</summary>
    public static FigureFormats Formats { get; set; } = FigureFormats.Both;

    /// <summary><c>--figure-format png|svg|svg,png</c>, shared by every command that draws figures.</summary>
    public static Option<string?> FigureFormatOption() => new("--figure-format") { Description = "Figure files to write: png, svg or svg,png (default both)" };

    /// <summary>Writes the report of a finished run; a failure to draw is reported in one line and never changes the run's outcome.</summary>
    public static void WriteAfterRun(string runDirectory)
    {
        try { Print(RunReport.Build(runDirectory, Formats)); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Commands.Error($"could not write the report of {runDirectory}: {e.GetType().Name}: {e.Message.Split('\n')[0]} (the run itself is complete; retry with 'noether report {runDirectory}')");
        }
    }

    private static void Print(ReportOutput output)
    {
        string note = output.FiguresNotDrawn > 0 ? $" ({output.FiguresNotDrawn} figure(s) could not be drawn; see the report)" : "";
        AnsiConsole.MarkupLine($"report: [blue]{Markup.Escape(output.ReportPath)}[/]{Markup.Escape(note)}");
    }
}
