using System.Globalization;
using Noether.Experiments;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Noether.Reports;

/// <summary>A figure drawn to PNG, with a note for the reader when some of its data could not be shown.</summary>
public sealed record RenderedFigure(Figure Figure, byte[] Png, int Width, int Height, string? Note);

/// <summary>
/// Draws the <see cref="Figure"/> records experiments declare with ScottPlot 5: line and scatter plots
/// (optionally log axes), grouped bars, heat maps with a colour bar, and grids of grayscale images.
/// Text uses the embedded font (<see cref="EmbeddedFont"/>), so the output is the same on any machine.
/// </summary>
public static class FigureRenderer
{
    public const int Width = 860, Height = 520;

    // Series of one condition share a colour; its seeds are lighter shades of it (see GroupOf).
    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    public static RenderedFigure Render(Figure figure)
    {
        EmbeddedFont.Install();
        var plot = new Plot();
        int width = Width, height = Height;
        string? note = figure.Kind switch
        {
            "line" => DrawXy(plot, figure, lines: true),
            "scatter" => DrawXy(plot, figure, lines: false),
            "bar" => DrawBars(plot, figure),
            "heatmap" => DrawHeatmap(plot, figure),
            "images" => DrawImages(plot, figure, ref height),
            _ => throw new FormatException($"figure '{figure.Id}': unknown kind '{figure.Kind}', expected line, scatter, bar, heatmap or images"),
        };
        plot.Title(figure.Title, 17);
        if (figure.Kind != "images")
        {
            plot.XLabel(figure.XLabel, 15);
            plot.YLabel(figure.YLabel, 15);
        }
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
            axis.TickLabelStyle.FontSize = 13;
        return new RenderedFigure(figure, plot.GetImageBytes(width, height, ImageFormat.Png), width, height, note);
    }

    // ---- line and scatter ----

    private static string? DrawXy(Plot plot, Figure f, bool lines)
    {
        int dropped = 0, drawn = 0;
        var groups = f.Series.Select(s => GroupOf(s.Name)).Distinct().ToList();
        var shade = new Dictionary<string, int>();
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        foreach (var s in f.Series)
        {
            var xs = new List<double>(); var ys = new List<double>();
            for (int i = 0; i < Math.Min(s.X.Length, s.Y.Length); i++)
            {
                double x = s.X[i], y = s.Y[i];
                // Non-finite values (a diverged member) and non-positive values on a log axis cannot be placed.
                if (!double.IsFinite(x) || !double.IsFinite(y) || (f.LogX && x <= 0) || (f.LogY && y <= 0)) { dropped++; continue; }
                xs.Add(f.LogX ? Math.Log10(x) : x); ys.Add(f.LogY ? Math.Log10(y) : y);
            }
            if (s.X.Length != s.Y.Length) dropped += Math.Abs(s.X.Length - s.Y.Length);
            if (xs.Count == 0) continue;
            string group = GroupOf(s.Name);
            int k = shade[group] = shade.GetValueOrDefault(group, -1) + 1;
            var color = Palette.GetColor(groups.IndexOf(group)).Lighten(Math.Min(0.6, 0.22 * k));
            var sc = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), color);
            if (f.Series.Count > 1) sc.LegendText = s.Name;
            sc.LineWidth = lines ? 2 : 0;
            sc.MarkerSize = lines ? (xs.Count <= 30 ? 5 : 0) : 7;
            drawn++;
            xMin = Math.Min(xMin, xs.Min()); xMax = Math.Max(xMax, xs.Max());
            yMin = Math.Min(yMin, ys.Min()); yMax = Math.Max(yMax, ys.Max());
        }
        if (drawn == 0) { NoData(plot); return Note(dropped); }
        if (f.LogX) plot.Axes.Bottom.TickGenerator = Manual(LogTicks(xMin, xMax));
        if (f.LogY) plot.Axes.Left.TickGenerator = Manual(LogTicks(yMin, yMax));
        if (f.Series.Count > 1) plot.ShowLegend(Edge.Right);
        return Note(dropped);
    }

    /// <summary>"SGD seed 3" → "SGD": the seeds of one condition are drawn in shades of one colour.</summary>
    private static string GroupOf(string name)
    {
        int at = name.IndexOf(" seed ", StringComparison.OrdinalIgnoreCase);
        return at > 0 ? name[..at] : name;
    }

    /// <summary>
    /// Ticks for an axis whose coordinates are log10 of the data: at powers of ten (minor ticks at 2..9,
    /// labelled at 2 and 5 when the range is under three decades) when the range spans at least one,
    /// otherwise at round values inside the range.
    /// </summary>
    public static List<Tick> LogTicks(double log10Min, double log10Max)
    {
        var ticks = new List<Tick>();
        int first = (int)Math.Ceiling(log10Min - 1e-9), last = (int)Math.Floor(log10Max + 1e-9);
        if (last - first >= 1)
        {
            int stride = Math.Max(1, (last - first + 7) / 8);
            for (int e = (int)Math.Floor(log10Min); e <= last + 1; e++)
            {
                if (e >= first && e <= last && (e - first) % stride == 0) ticks.Add(Tick.Major(e, PowerOfTen(e)));
                if (stride == 1)
                    for (int m = 2; m <= 9; m++)
                    {
                        double p = e + Math.Log10(m);
                        if (p < log10Min || p > log10Max) continue;
                        // Over fewer than three decades, 2× and 5× are labelled too, or the axis has only two numbers.
                        bool labelled = last - first < 3 && (m is 2 or 5);
                        ticks.Add(labelled ? Tick.Major(p, (m * Math.Pow(10, e)).ToString("G4", CultureInfo.InvariantCulture)) : Tick.Minor(p));
                    }
            }
            return ticks;
        }
        double lo = Math.Pow(10, log10Min), hi = Math.Pow(10, log10Max);
        if (hi <= lo) hi = lo * 1.1;
        double step = NiceStep((hi - lo) / 5);
        for (double v = Math.Ceiling(lo / step) * step; v <= hi * (1 + 1e-12); v += step)
            if (v > 0) ticks.Add(Tick.Major(Math.Log10(v), v.ToString("G4", CultureInfo.InvariantCulture)));
        return ticks;
    }

    private static NumericManual Manual(IEnumerable<Tick> ticks)
    {
        var generator = new NumericManual();
        foreach (var t in ticks) generator.Add(t);
        return generator;
    }

    private static double NiceStep(double raw)
    {
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double r = raw / mag;
        return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
    }

    private static string PowerOfTen(int e) =>
        e is >= -3 and <= 3 ? Math.Pow(10, e).ToString("0.###", CultureInfo.InvariantCulture) : "10" + Superscript(e);

    private static string Superscript(int e) => string.Concat(e.ToString(CultureInfo.InvariantCulture).Select(c => c switch
    {
        '-' => '⁻', '0' => '⁰', '1' => '¹', '2' => '²', '3' => '³', '4' => '⁴',
        '5' => '⁵', '6' => '⁶', '7' => '⁷', '8' => '⁸', _ => '⁹',
    }));

    // ---- grouped bars ----

    private static string? DrawBars(Plot plot, Figure f)
    {
        var categories = f.Categories ?? throw new FormatException($"figure '{f.Id}': a bar figure needs Categories");
        int n = f.Series.Count, dropped = 0;
        if (n == 0) { NoData(plot); return null; }
        // Series are side by side inside a category slot of width 0.8.
        double width = 0.8 / n;
        var bars = new List<Bar>();
        for (int s = 0; s < n; s++)
        {
            var color = Palette.GetColor(s);
            var values = f.Series[s].Y;
            for (int c = 0; c < categories.Length && c < values.Length; c++)
            {
                if (!double.IsFinite(values[c])) { dropped++; continue; }
                bars.Add(new Bar { Position = c - 0.4 + width * (s + 0.5), Value = values[c], Size = width * 0.92, FillColor = color, LineWidth = 0 });
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = f.Series[s].Name, FillColor = color });
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Length).Select(i => (double)i).ToArray(), categories);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0);
        plot.HideGrid();
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 1;
        if (n > 1) plot.ShowLegend(Edge.Right);
        return Note(dropped);
    }

    // ---- heat map ----

    private static string? DrawHeatmap(Plot plot, Figure f)
    {
        var z = f.Z ?? throw new FormatException($"figure '{f.Id}': a heatmap figure needs Z");
        int rows = z.Length, cols = rows == 0 ? 0 : z.Max(r => r.Length);
        if (rows == 0 || cols == 0) { NoData(plot); return null; }
        var grid = new double[rows, cols];
        int missing = 0;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double v = c < z[r].Length ? z[r][c] : double.NaN;
                if (!double.IsFinite(v)) { missing++; v = double.NaN; }
                grid[r, c] = v;
            }
        var hm = plot.Add.Heatmap(grid);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        // Row 0 is the first row value: put it at the bottom so Y grows upwards like the other plots.
        hm.FlipVertically = true;
        hm.Rectangle = new CoordinateRect(-0.5, cols - 0.5, -0.5, rows - 0.5);
        hm.NaNCellColor = Colors.LightGray;
        var bar = plot.Add.ColorBar(hm);
        bar.Label = f.ZLabel ?? "";
        bar.LabelStyle.FontSize = 14;
        bar.Axis.TickLabelStyle.FontSize = 12;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, cols).Select(i => (double)i).ToArray(), AxisValues(f.ColumnValues, cols));
        plot.Axes.Left.SetTicks(Enumerable.Range(0, rows).Select(i => (double)i).ToArray(), AxisValues(f.RowValues, rows));
        plot.Axes.SetLimits(-0.5, cols - 0.5, -0.5, rows - 0.5);
        plot.HideGrid();
        // Small grids carry their numbers: a phase diagram is read cell by cell.
        if (rows * cols <= 100)
        {
            var range = hm.GetRange();
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                {
                    if (double.IsNaN(grid[r, c])) continue;
                    double span = range.Max - range.Min, t = span > 0 ? (grid[r, c] - range.Min) / span : 0.5;
                    var label = plot.Add.Text(Short(grid[r, c]), c, r);
                    label.Alignment = Alignment.MiddleCenter;
                    label.LabelFontSize = cols <= 6 ? 13 : 11;
                    label.LabelFontColor = t > 0.6 ? Colors.Black : Colors.White;
                }
        }
        return missing > 0 ? $"{missing} of {rows * cols} cells have no finite value (grey)." : null;
    }

    private static string[] AxisValues(double[]? values, int count) =>
        Enumerable.Range(0, count).Select(i => values is not null && i < values.Length ? Short(values[i]) : i.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static string Short(double v) =>
        v == 0 ? "0" : Math.Abs(v) >= 1e4 || Math.Abs(v) < 1e-2 ? v.ToString("0.#e0", CultureInfo.InvariantCulture) : v.ToString("G3", CultureInfo.InvariantCulture);

    // ---- image grid ----

    private static string? DrawImages(Plot plot, Figure f, ref int height)
    {
        var panels = f.Images ?? [];
        if (panels.Count == 0) { NoData(plot); return null; }
        int cols = Math.Min(panels.Count, 8), rows = (panels.Count + cols - 1) / cols;
        int cellW = panels.Max(p => p.Width), cellH = panels.Max(p => p.Height);
        // One cell is the largest image plus a gap; captions sit in the gap under each image.
        double gapX = 0.15 * cellW, gapY = 0.35 * cellH;
        double lo = Math.Min(0, panels.Min(p => p.Pixels.Where(double.IsFinite).DefaultIfEmpty(0).Min()));
        double hi = Math.Max(1, panels.Max(p => p.Pixels.Where(double.IsFinite).DefaultIfEmpty(1).Max()));
        for (int i = 0; i < panels.Count; i++)
        {
            var p = panels[i];
            if (p.Pixels.Length != p.Height * p.Width)
                throw new FormatException($"figure '{f.Id}' image {i} ('{p.Caption}'): {p.Pixels.Length} pixels, expected {p.Height}×{p.Width}");
            var pix = new double[p.Height, p.Width];
            for (int y = 0; y < p.Height; y++)
                for (int x = 0; x < p.Width; x++) pix[y, x] = p.Pixels[y * p.Width + x];
            double left = (i % cols) * (cellW + gapX), top = -(i / cols) * (cellH + gapY);
            var hm = plot.Add.Heatmap(pix);
            hm.Colormap = new ScottPlot.Colormaps.Grayscale();
            hm.ManualRange = new ScottPlot.Range(lo, hi);
            hm.Rectangle = new CoordinateRect(left, left + p.Width, top - p.Height, top);
            var caption = plot.Add.Text(p.Caption, left + p.Width / 2.0, top - p.Height - 0.05 * cellH);
            caption.Alignment = Alignment.UpperCenter;
            caption.LabelFontSize = 13;
        }
        double right = cols * (cellW + gapX) - gapX, bottom = -rows * (cellH + gapY);
        plot.Axes.SetLimits(-gapX / 2, right + gapX / 2, bottom, gapY * 0.3);
        plot.Axes.Frameless();
        plot.HideGrid();
        // Height follows the grid's aspect so pixels stay square, plus room for the title.
        double aspect = (gapY * 0.3 - bottom) / (right + gapX);
        height = (int)Math.Clamp(Width * aspect + 50, 160, 1400);
        plot.Axes.Bottom.IsVisible = plot.Axes.Left.IsVisible = false;
        return null;
    }

    private static void NoData(Plot plot)
    {
        var t = plot.Add.Text("no data", 0, 0);
        t.Alignment = Alignment.MiddleCenter;
        t.LabelFontSize = 18;
        plot.Axes.SetLimits(-1, 1, -1, 1);
    }

    private static string? Note(int dropped) =>
        dropped > 0 ? $"{dropped} point{(dropped == 1 ? "" : "s")} not shown (non-finite, or not positive on a log axis)." : null;
}
