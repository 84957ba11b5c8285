using System.Globalization;
using Noether.Runs;
using Noether.Experiments;

namespace Noether.Reports;

/// <summary>What <see cref="RunReport.Build"/> wrote into a run folder.</summary>
public sealed record ReportOutput(string ReportPath, IReadOnlyList<string> Plots, IReadOnlyList<string> EventFiles, int FiguresNotDrawn);

/// <summary>
/// Builds everything a person looks at from a run folder on disk: plots/&lt;figure&gt;.png and .svg, TensorBoard
/// event files from metrics.csv, and report.html with the plots embedded. Running it twice gives the
/// same files; it never reruns the experiment.
/// </summary>
public static class RunReport
{
    public const string PlotFolder = "plots";

    public static ReportOutput Build(string runDirectory, FigureFormats formats = FigureFormats.Both)
    {
        var run = RunFolder.Load(runDirectory);
        var rows = File.Exists(run.MetricsPath) ? MetricsWriter.Read(run.MetricsPath) : [];
        // A run that stopped early (failed, interrupted) declared no figures: show its metrics instead.
        var labels = new MemberLabels(run.Record.Members);
        var declared = run.Figures.Count > 0 ? run.Figures : MetricFigures.FromRows(rows, labels);
        var (figures, plots) = RenderPlots(declared, Path.Combine(runDirectory, PlotFolder), formats);

        var exports = new List<string>();
        IReadOnlyList<string> events = [];
        if (File.Exists(run.MetricsPath))
        {
            // Runs write their event files live (real wall times); only a folder without them gets an export now.
            string board = Path.Combine(runDirectory, TensorBoardExport.Folder);
            events = Directory.Exists(board) && Directory.EnumerateFiles(board, "events.out.tfevents.*", SearchOption.AllDirectories).Any()
                ? Directory.GetFiles(board, "events.out.tfevents.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
                : TensorBoardExport.Write(runDirectory, rows, labels, run.Record.Started);
            exports.Add($"<code>metrics.csv</code>: {rows.Count.ToString(CultureInfo.InvariantCulture)} rows (step, phase, member, layer, name, value) of "
                + $"{rows.Select(r => r.Name).Distinct().Count()} metrics: {Html.E(string.Join(", ", rows.Select(r => r.Name).Distinct().Order(StringComparer.Ordinal)))}");
            if (events.Count > 0)
                exports.Add($"<code>{TensorBoardExport.Folder}/</code>: {events.Count} TensorBoard event file(s), a run per member (<code>tensorboard --logdir {Html.E(Path.Combine(runDirectory, TensorBoardExport.Folder))}</code>)");
        }
        foreach (var (name, shape) in run.Tensors)
            exports.Add($"<code>{Experiments.RunContext.TensorFolder}/{Html.E(name)}</code>: NPY array of shape ({string.Join(", ", shape)})");
        if (plots.Count > 0) exports.Add($"<code>{PlotFolder}/</code>: {plots.Count} figure(s), each as {FigureFormat.Text(formats)}");
        exports.Add("<code>run.json</code>, <code>config.json</code>" + (run.Figures.Count > 0 ? ", <code>figures.json</code> (figure data)" : ""));

        string report = Path.Combine(runDirectory, ReportHtml.FileName);
        AtomicFile.WriteAllText(report, ReportHtml.Build(run, figures, exports));
        return new ReportOutput(report, plots, events, figures.Count(f => f.Rendered is null));
    }

    /// <summary>A figure id as a file name: anything but letters, digits, '-' and '_' becomes '_'.</summary>
    public static string FileNameOf(string id) =>
        string.Concat(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));

    /// <summary>
    /// Renders each figure into <paramref name="plotDir"/> as PNG and/or SVG (stale plots removed first). A figure
    /// that fails to render is kept with its error, so one bad figure does not cost the reader the others.
    /// The returned paths are the PNGs, or the SVGs when only SVG is asked for.
    /// </summary>
    public static (List<ReportFigure> Figures, List<string> Plots) RenderPlots(IEnumerable<Figure> declared, string plotDir, FigureFormats formats = FigureFormats.Both)
    {
        if (Directory.Exists(plotDir))
            foreach (var stale in Directory.GetFiles(plotDir, "*.png").Concat(Directory.GetFiles(plotDir, "*.svg"))) File.Delete(stale);
        var figures = new List<ReportFigure>();
        var plots = new List<string>();
        foreach (var figure in declared)
        {
            try
            {
                var rendered = FigureRenderer.Render(figure);
                Directory.CreateDirectory(plotDir);
                string path = Path.Combine(plotDir, FileNameOf(figure.Id) + ".png");
                if (formats.HasFlag(FigureFormats.Png)) AtomicFile.WriteAllBytes(path, rendered.Png);
                if (formats.HasFlag(FigureFormats.Svg)) AtomicFile.WriteAllText(Path.ChangeExtension(path, ".svg"), rendered.Svg);
                plots.Add(formats.HasFlag(FigureFormats.Png) ? path : Path.ChangeExtension(path, ".svg"));
                figures.Add(new ReportFigure(figure, rendered, null));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                figures.Add(new ReportFigure(figure, null, $"{e.GetType().Name}: {e.Message}"));
            }
        }
        return (figures, plots);
    }
}

/// <summary>The files a figure is written as (<c>--figure-format</c>); the report embeds PNG either way.</summary>
[Flags]
public enum FigureFormats
{
    Png = 1,
    Svg = 2,
    Both = Png | Svg,
}

public static class FigureFormat
{
    /// <summary>Parses <c>png</c>, <c>svg</c>, <c>svg,png</c> or <c>png,svg</c>; anything else is a user error.</summary>
    public static FigureFormats Parse(string? text)
    {
        if (text is null) return FigureFormats.Both;
        FigureFormats f = 0;
        foreach (var word in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            f |= word.ToLowerInvariant() switch
            {
                "png" => FigureFormats.Png,
                "svg" => FigureFormats.Svg,
                _ => throw new ConfigException($"--figure-format '{word}': expected png, svg or svg,png"),
            };
        return f == 0 ? throw new ConfigException($"--figure-format '{text}': expected png, svg or svg,png") : f;
    }

    public static string Text(FigureFormats f) => f switch
    {
        FigureFormats.Png => "PNG",
        FigureFormats.Svg => "SVG",
        _ => "PNG and SVG",
    };
}
