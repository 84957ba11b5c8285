using Noether.Experiments;
using Noether.Reports;

namespace Noether.Tests.Reports;

public class FigureRendererTests
{
    [Fact]
    public void Every_kind_renders_a_decodable_png_of_the_stated_size()
    {
        foreach (var f in ReportFixtures.EveryKind())
        {
            var r = FigureRenderer.Render(f);
            Assert.Equal((r.Width, r.Height), ReportFixtures.PngSize(r.Png));
            Assert.Equal(FigureRenderer.Width, r.Width);
            // Something is drawn inside the plot, not only the frame: many non-white pixels.
            Assert.True(ReportFixtures.DarkPixels(r.Png, 0, 0, r.Width, r.Height) > 500, f.Id);
        }
    }

    [Fact]
    public void Points_that_cannot_be_placed_are_counted_in_a_note()
    {
        var line = ReportFixtures.EveryKind()[0];
        Assert.Equal("1 point not shown (non-finite, or not positive on a log axis).", FigureRenderer.Render(line).Note);
        var heat = ReportFixtures.EveryKind()[3];
        Assert.Equal("1 of 6 cells have no finite value (grey).", FigureRenderer.Render(heat).Note);
    }

    [Fact]
    public void Log_ticks_sit_at_powers_of_ten_over_several_decades_and_at_round_values_within_one()
    {
        var decades = FigureRenderer.LogTicks(-3.2, 1.5);
        var major = decades.Where(t => t.IsMajor).ToList();
        Assert.Equal(new double[] { -3, -2, -1, 0, 1 }, major.Select(t => t.Position));
        Assert.Equal(new[] { "0.001", "0.01", "0.1", "1", "10" }, major.Select(t => t.Label));
        Assert.Contains(decades, t => !t.IsMajor && Math.Abs(t.Position - Math.Log10(20)) < 1e-12);

        var wide = FigureRenderer.LogTicks(-6, 0).Where(t => t.IsMajor).Select(t => t.Label).ToList();
        Assert.Contains("10⁻⁶", wide);
        // One format per axis: 100 … 10⁵ is written 10² … 10⁵, not "100, 1000, 10⁴, 10⁵".
        var steps = FigureRenderer.LogTicks(2, 5).Where(t => t.IsMajor).Select(t => t.Label).ToList();
        Assert.Equal(new[] { "10²", "10³", "10⁴", "10⁵" }, steps);

        var two = FigureRenderer.LogTicks(0, 1.9).Where(t => t.IsMajor).Select(t => t.Label).ToList();
        Assert.Equal(new[] { "1", "2", "5", "10", "20", "50" }, two);

        var narrow = FigureRenderer.LogTicks(0, Math.Log10(1.5)).Where(t => t.IsMajor).Select(t => t.Label).ToList();
        Assert.Equal(new[] { "1", "1.1", "1.2", "1.3", "1.4", "1.5" }, narrow);
    }

    [Fact]
    public void Malformed_figures_raise_a_message_naming_the_figure()
    {
        var bar = new Figure("b", "bars", "bar", "x", "y");
        Assert.Contains("'b'", Assert.Throws<FormatException>(() => FigureRenderer.Render(bar)).Message);
        var odd = new Figure("p", "pie", "pie", "x", "y");
        Assert.Contains("unknown kind 'pie'", Assert.Throws<FormatException>(() => FigureRenderer.Render(odd)).Message);
        var image = new Figure("i", "img", "images", "", "") { Images = [new ImagePanel("c", 2, 2, [1, 2, 3])] };
        Assert.Contains("3 pixels, expected 2×2", Assert.Throws<FormatException>(() => FigureRenderer.Render(image)).Message);
    }

    [Fact]
    public void Twelve_conditions_get_twelve_different_colours_and_reference_lines_none()
    {
        var f = new Figure("many", "Decay curves", "line", "step", "A");
        for (int i = 0; i < 12; i++) f.Series.Add(new Series($"γ={i}", [0, 1, 2], [i, i + 1, i + 2]));
        f.Series.Add(new Series("y = x", [0, 2], [0, 2]) { Style = "reference" });
        var r = FigureRenderer.Render(f);
        Assert.Equal(12, r.SeriesColours.Count);
        Assert.Equal(12, r.SeriesColours.Distinct().Count());
    }

    [Fact]
    public void A_long_title_shrinks_to_stay_inside_the_canvas_and_the_svg_is_written_too()
    {
        var f = new Figure("long", string.Concat(Enumerable.Repeat("warmup trace of the Hessian trace ", 4)), "line", "step", "tr H");
        f.Series.Add(new Series("run", [0, 1, 2], [1, 2, 3]) { Spread = [0.1, 0.2, 0.1] });
        var r = FigureRenderer.Render(f);
        Assert.True(FigureRenderer.TitleFontSize(f.Title, r.Width) < 17);
        AssertInsideCanvas(r);
        Assert.Contains("<svg", r.Svg);
    }

    /// <summary>No glyph touches the left or right edge of the title band: a clipped title would run off both.</summary>
    internal static void AssertInsideCanvas(RenderedFigure r)
    {
        Assert.Equal(0, ReportFixtures.DarkPixels(r.Png, 0, 0, 3, 40));
        Assert.Equal(0, ReportFixtures.DarkPixels(r.Png, r.Width - 3, 0, r.Width, 40));
    }
}
