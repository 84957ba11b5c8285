using System.Globalization;
using Noether.Experiments;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Noether.Reports;

/// <summary>
/// A figure drawn to PNG and SVG, with a note for the reader when some of its data could not be shown,
/// and the colour (#rrggbb) each drawn series got, in order (reference lines excluded).
/// </summary>
public sealed record RenderedFigure(Figure Figure, byte[] Png, int Width, int Height, string? Note)
{
    public string Svg { get; init; } = "";
    public IReadOnlyList<string> SeriesColours { get; init; } = [];
}

/// <summary>
/// Draws the <see cref="Figure"/> records experiments declare with ScottPlot 5: line and scatter plots
/// (optionally log axes, per-series style, spread as error bars or bands), grouped bars, heat maps with
/// a colour bar, and grids of grayscale images. Text uses the embedded font (<see cref="EmbeddedFont"/>),
/// so the output is the same on any machine; "_k" and "^2" in text become Unicode sub/superscripts.
/// </summary>
public static class FigureRenderer
{
    public const int Width = 860, Height = 520;
    private const float TitleSize = 17;

    // Series of one condition share a colour; its seeds are lighter shades of it (see GroupOf).
    private static readonly ScottPlot.Palettes.Category10 Palette = new();
    // Beyond ten conditions the palette repeats, darker and with another dash pattern, so no two series look alike.
    private static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    public static RenderedFigure Render(Figure figure)
    {
        EmbeddedFont.Install();
        var plot = new Plot();
        int width = Width, height = Height;
        var colours = new List<string>();
        string? note = figure.Kind switch
        {
            "line" => DrawXy(plot, figure, lines: true, colours),
            "scatter" => DrawXy(plot, figure, lines: false, colours),
            "bar" => DrawBars(plot, figure),
            "heatmap" => DrawHeatmap(plot, figure),
            "images" => DrawImages(plot, figure, ref height),
            _ => throw new FormatException($"figure '{figure.Id}': unknown kind '{figure.Kind}', expected line, scatter, bar, heatmap or images"),
        };
        string title = Typography.Pretty(figure.Title);
        // The title is centred over the data area; a legend on the right takes its width from the title's room.
        int legendWidth = figure.Kind is "line" or "scatter" or "bar" && figure.Series.Count > 1
            ? 60 + (int)(7.5 * figure.Series.Max(s => Typography.Pretty(s.Name).Length)) : 0;
        plot.Title(title, TitleFontSize(title, width - legendWidth));
        if (figure.Kind != "images")
        {
            plot.XLabel(Typography.Pretty(figure.XLabel), 15);
            plot.YLabel(Typography.Pretty(figure.YLabel), 15);
        }
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
            axis.TickLabelStyle.FontSize = 13;
        return new RenderedFigure(figure, plot.GetImageBytes(width, height, ImageFormat.Png), width, height, note)
        {
            Svg = plot.GetSvgXml(width, height),
            SeriesColours = colours,
        };
    }

    /// <summary>The title's font size: 17 pt, smaller when a long title would not fit the canvas (bold DejaVu Sans takes up to about 0.8 em per character).</summary>
    public static float TitleFontSize(string title, int width) =>
        Math.Clamp((float)((width - 40) / (0.8 * Math.Max(1, title.Length))), 10f, TitleSize);

    // ---- line and scatter ----

    private static string? DrawXy(Plot plot, Figure f, bool lines, List<string> colours)
    {
        int dropped = 0, drawn = 0;
        var groups = f.Series.Where(s => s.Style != "reference").Select(s => GroupOf(s.Name)).Distinct().ToList();
        var shade = new Dictionary<string, int>();
        bool legend = f.Series.Count > 1;
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        bool integerX = true, integerY = true;
        foreach (var s in f.Series)
        {
            var xs = new List<double>(); var ys = new List<double>(); var spread = new List<double>();
            for (int i = 0; i < Math.Min(s.X.Length, s.Y.Length); i++)
            {
                double x = s.X[i], y = s.Y[i];
                // Non-finite values (a diverged member) and non-positive values on a log axis cannot be placed.
                if (!double.IsFinite(x) || !double.IsFinite(y) || (f.LogX && x <= 0) || (f.LogY && y <= 0)) { dropped++; continue; }
                xs.Add(f.LogX ? Math.Log10(x) : x); ys.Add(f.LogY ? Math.Log10(y) : y);
                spread.Add(s.Spread is { } sp && i < sp.Length && double.IsFinite(sp[i]) ? Math.Abs(sp[i]) : 0);
                integerX &= x == Math.Round(x);
                integerY &= y == Math.Round(y) && !(s.Spread is { } sy && i < sy.Length && sy[i] != 0);
            }
            if (s.X.Length != s.Y.Length) dropped += Math.Abs(s.X.Length - s.Y.Length);
            if (xs.Count == 0) continue;
            string style = s.Style ?? (lines ? "line" : "markers");
            Color color;
            LinePattern pattern = LinePattern.Solid;
            if (style == "reference") color = Colors.DimGray;
            else
            {
                string group = GroupOf(s.Name);
                int g = groups.IndexOf(group), k = shade[group] = shade.GetValueOrDefault(group, -1) + 1;
                color = Palette.GetColor(g % 10).Darken(0.45 * Math.Min(1, g / 10)).Lighten(Math.Min(0.6, 0.22 * k));
                pattern = Patterns[g / 10 % Patterns.Length];
                colours.Add(color.ToHex());
            }
            var sc = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), color);
            if (legend) sc.LegendText = Typography.Pretty(s.Name);
            sc.LinePattern = style == "reference" ? LinePattern.Dashed : pattern;
            sc.LineWidth = style switch { "reference" => 1.5f, "line" => 2, _ => 0 };
            sc.MarkerSize = style switch { "reference" => 0, "line" => xs.Count <= 30 ? 5 : 0, _ => 7 };
            if (spread.Any(v => v > 0)) DrawSpread(plot, xs, ys, spread, color, f.LogY);
            drawn++;
            xMin = Math.Min(xMin, xs.Min()); xMax = Math.Max(xMax, xs.Max());
            yMin = Math.Min(yMin, ys.Min()); yMax = Math.Max(yMax, ys.Max());
        }
        if (drawn == 0) { NoData(plot); return Note(dropped); }
        if (f.Categories is { } categories && !f.LogX)
        {
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Length).Select(i => (double)i).ToArray(), CategoryLabels(categories));
        }
        else if (f.LogX) plot.Axes.Bottom.TickGenerator = Manual(LogTicks(xMin, xMax));
        else if (DataTicks(f) is { } atData) plot.Axes.Bottom.TickGenerator = Manual(atData);
        else if (integerX && xMax - xMin <= 12) plot.Axes.Bottom.TickGenerator = Manual(IntegerTicks(xMin, xMax));
        if (f.LogY) plot.Axes.Left.TickGenerator = Manual(LogTicks(yMin, yMax));
        else if (integerY && yMax - yMin <= 12) plot.Axes.Left.TickGenerator = Manual(IntegerTicks(yMin, Math.Max(yMax, yMin + 1)));
        if (legend) plot.ShowLegend(Edge.Right);
        return Note(dropped);
    }

    /// <summary>± spread as error bars for a few points, or as a translucent band along a dense curve.</summary>
    private static void DrawSpread(Plot plot, List<double> xs, List<double> ys, List<double> spread, Color color, bool logY)
    {
        // On a log axis the band is drawn in log coordinates; a lower edge at or below zero is clamped to the curve.
        double Lo(int i) => logY ? (Math.Pow(10, ys[i]) - spread[i] > 0 ? Math.Log10(Math.Pow(10, ys[i]) - spread[i]) : ys[i]) : ys[i] - spread[i];
        double Hi(int i) => logY ? Math.Log10(Math.Pow(10, ys[i]) + spread[i]) : ys[i] + spread[i];
        if (xs.Count <= 30)
            for (int i = 0; i < xs.Count; i++)
            {
                if (spread[i] <= 0) continue;
                var bar = plot.Add.Line(xs[i], Lo(i), xs[i], Hi(i));
                bar.Color = color;
                bar.LineWidth = 1.5f;
                bar.MarkerSize = 0;
            }
        else
        {
            var band = plot.Add.FillY(xs.ToArray(), Enumerable.Range(0, xs.Count).Select(Lo).ToArray(), Enumerable.Range(0, xs.Count).Select(Hi).ToArray());
            band.FillColor = color.WithAlpha(0.2);
            band.LineWidth = 0;
        }
    }

    /// <summary>
    /// A handful of well-spread x values shared by the curves (a swept setting such as 0.01, 0.02):
    /// ticks exactly there, so the reader sees which values were run. Null otherwise.
    /// </summary>
    private static List<Tick>? DataTicks(Figure f)
    {
        var xs = f.Series.Where(s => s.Style != "reference").SelectMany(s => s.X).Where(double.IsFinite).Distinct().Order().ToList();
        if (xs.Count is < 2 or > 6) return null;
        double span = xs[^1] - xs[0];
        for (int i = 1; i < xs.Count; i++) if (xs[i] - xs[i - 1] < span / 8) return null;
        return xs.Select(x => Tick.Major(x, x.ToString("G4", CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>Ticks at whole numbers (every one, or every second when the range is wide), for counts such as a rank.</summary>
    public static List<Tick> IntegerTicks(double min, double max)
    {
        int lo = (int)Math.Ceiling(min), hi = (int)Math.Floor(max), stride = hi - lo > 8 ? 2 : 1;
        return Enumerable.Range(0, (hi - lo) / stride + 1).Select(i => Tick.Major(lo + i * stride, (lo + i * stride).ToString(CultureInfo.InvariantCulture))).ToList();
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
            // One format per axis: all plain numbers, or all powers 10ˣ once any decade is past 10⁻³…10³.
            bool powers = first < -3 || last > 3;
            for (int e = (int)Math.Floor(log10Min); e <= last + 1; e++)
            {
                if (e >= first && e <= last && (e - first) % stride == 0) ticks.Add(Tick.Major(e, powers ? "10" + Superscript(e) : PowerOfTen(e)));
                if (stride == 1)
                    for (int m = 2; m <= 9; m++)
                    {
                        double p = e + Math.Log10(m);
                        if (p < log10Min || p > log10Max) continue;
                        // Over fewer than three decades, 2× and 5× are labelled too, or the axis has only two numbers.
                        bool labelled = last - first < 3 && (m is 2 or 5);
                        string text = powers ? $"{m}×10{Superscript(e)}" : (m * Math.Pow(10, e)).ToString("G4", CultureInfo.InvariantCulture);
                        ticks.Add(labelled ? Tick.Major(p, text) : Tick.Minor(p));
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

    /// <summary>
    /// Category tick labels that fit their slot: a label wider than its share of the axis (13 pt DejaVu Sans,
    /// about 7.5 px a character) is broken into lines at spaces, so neighbours never overlap.
    /// </summary>
    public static string[] CategoryLabels(IReadOnlyList<string> categories, int axisPixels = Width - 260)
    {
        int perLine = Math.Max(6, (int)(axisPixels / Math.Max(1, categories.Count) / 7.5) - 1);
        return categories.Select(c => Wrap(Typography.Pretty(c), perLine)).ToArray();
    }

    /// <summary>Greedy line breaking at spaces (a word longer than a line stays whole).</summary>
    public static string Wrap(string text, int perLine)
    {
        if (text.Length <= perLine) return text;
        var lines = new List<string>();
        string line = "";
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > perLine) { lines.Add(line); line = word; }
            else line = line.Length == 0 ? word : line + " " + word;
        }
        lines.Add(line);
        return string.Join("\n", lines);
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
        // A log axis: bars stand on the decade below the smallest value, in log10 coordinates.
        var positive = f.Series.SelectMany(x => x.Y).Where(v => double.IsFinite(v) && v > 0).ToList();
        bool log = f.LogY && positive.Count > 0;
        double logBase = log ? Math.Floor(Math.Log10(positive.Min())) : 0;
        for (int s = 0; s < n; s++)
        {
            var color = Palette.GetColor(s);
            var values = f.Series[s].Y;
            var spread = f.Series[s].Spread;
            for (int c = 0; c < categories.Length && c < values.Length; c++)
            {
                if (!double.IsFinite(values[c]) || (log && values[c] <= 0)) { dropped++; continue; }
                double error = spread is not null && c < spread.Length && double.IsFinite(spread[c]) ? Math.Abs(spread[c]) : 0;
                if (log) error = Math.Log10(values[c] + error) - Math.Log10(values[c]);
                bars.Add(new Bar
                {
                    Position = c - 0.4 + width * (s + 0.5), Value = log ? Math.Log10(values[c]) : values[c], ValueBase = logBase,
                    Size = width * 0.92, FillColor = color,
                    // ScottPlot draws the error whisker with the bar's line (its outline too).
                    Error = error, LineColor = Colors.Black, LineWidth = error > 0 ? 1.2f : 0,
                });
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = Typography.Pretty(f.Series[s].Name), FillColor = color });
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Length).Select(i => (double)i).ToArray(), CategoryLabels(categories));
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        // Bars stand on zero with no gap below; a negative bar needs room below its end like any other.
        plot.Axes.Margins(bottom: bars.Any(b => b.Value - b.Error < 0) ? 0.05 : 0);
        plot.HideGrid();
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 1;
        // Counts (ranks, numbers of neurons) tick on integers, never at 0.2 steps.
        var tops = bars.Select(b => b.Value + b.Error).Append(0).ToList();
        if (log)
        {
            double top = bars.Max(b => b.Value + b.Error);
            plot.Axes.Left.TickGenerator = Manual(LogTicks(logBase, Math.Max(top, logBase + 1)));
            plot.Axes.SetLimitsY(logBase, Math.Max(top, logBase + 1) + 0.05 * (Math.Max(top, logBase + 1) - logBase));
        }
        else if (bars.Count > 0 && bars.All(b => b.Value == Math.Round(b.Value) && b.Error == 0) && tops.Max() - Math.Min(0, bars.Min(b => b.Value)) <= 12)
        {
            double lo = Math.Min(0, bars.Min(b => b.Value)), hi = Math.Max(1, tops.Max());
            plot.Axes.Left.TickGenerator = Manual(IntegerTicks(lo, hi));
            plot.Axes.SetLimitsY(lo, hi + 0.25);
        }
        if (n > 1) plot.ShowLegend(Edge.Right);
        else plot.HideLegend(); // one series: the y label names it, and an inner legend would cover a bar
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
        var finite = z.SelectMany(r => r).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        double lowest = finite.Min(), highest = finite.Max();
        if (f.ZRange is [var zLow, var zHigh] && zHigh > zLow)
        {
            hm.Colormap = zLow < 0 && zHigh > 0 ? new ScottPlot.Colormaps.Balance() : new ScottPlot.Colormaps.Viridis();
            hm.ManualRange = new ScottPlot.Range(zLow, zHigh);
        }
        else if (lowest < 0 && highest > 0)
        {
            // Signed values: a diverging map with white at zero and a range symmetric about it.
            double m = Math.Max(-lowest, highest);
            hm.Colormap = new ScottPlot.Colormaps.Balance();
            hm.ManualRange = new ScottPlot.Range(-m, m);
        }
        else hm.Colormap = new ScottPlot.Colormaps.Viridis();
        // Row 0 is the first row value: put it at the bottom so Y grows upwards like the other plots.
        hm.FlipVertically = true;
        hm.Rectangle = new CoordinateRect(-0.5, cols - 0.5, -0.5, rows - 0.5);
        hm.NaNCellColor = Colors.LightGray;
        var bar = plot.Add.ColorBar(hm);
        bar.Label = f.ZLabel ?? "";
        bar.LabelStyle.FontSize = 14;
        bar.Axis.TickLabelStyle.FontSize = 12;
        plot.Axes.Bottom.SetTicks(CellTicks(cols), AxisValues(f.ColumnValues, cols).Where((_, i) => i % TickStride(cols) == 0).ToArray());
        plot.Axes.Left.SetTicks(CellTicks(rows), AxisValues(f.RowValues, rows).Where((_, i) => i % TickStride(rows) == 0).ToArray());
        plot.Axes.SetLimits(-0.5, cols - 0.5, -0.5, rows - 0.5);
        plot.HideGrid();
        // Small grids carry their numbers: a phase diagram is read cell by cell.
        if (rows * cols <= 100)
        {
            var range = hm.ManualRange ?? hm.GetRange();
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                {
                    if (double.IsNaN(grid[r, c])) continue;
                    double span = range.Max - range.Min, t = span > 0 ? (grid[r, c] - range.Min) / span : 0.5;
                    var label = plot.Add.Text(Short(grid[r, c]), c, r);
                    label.Alignment = Alignment.MiddleCenter;
                    label.LabelFontSize = cols <= 6 ? 13 : 11;
                    // Viridis is dark at the bottom; the diverging map is dark at both ends and white in the middle.
                    bool dark = hm.Colormap is ScottPlot.Colormaps.Balance ? Math.Abs(t - 0.5) > 0.3 : t <= 0.6;
                    label.LabelFontColor = dark ? Colors.White : Colors.Black;
                }
        }
        return missing > 0 ? $"{missing} of {rows * cols} cells have no finite value (grey)." : null;
    }

    /// <summary>At most about 12 labelled cells per axis: every cell up to 12, then every second, fourth, ….</summary>
    private static int TickStride(int cells) => Math.Max(1, (cells + 11) / 12);

    private static double[] CellTicks(int cells) =>
        Enumerable.Range(0, cells).Where(i => i % TickStride(cells) == 0).Select(i => (double)i).ToArray();

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
