using Noether.Experiments;
using Noether.Reports;
using Noether.Runs;

namespace Noether.Tests.Reports;

/// <summary>
/// Every figure every experiment declares (quick profile, seed 1), drawn: no two series of a panel
/// share a colour and the title stays inside the canvas. Slow: it runs all ten experiments.
/// </summary>
[Trait("Category", "Integration")]
public class ExperimentFigureTests
{
    public static TheoryData<string> Ids() => new(Registry.All.Select(e => e.Id));

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_figure_draws_with_distinct_series_colours_and_an_unclipped_title(string id)
    {
        var experiment = Registry.Get(id);
        var context = new RunContext(1, "quick", 1, MetricsWriter.InMemory());
        experiment.Run(experiment.CreateConfig("quick"), context);
        Assert.NotEmpty(context.Figures);
        foreach (var figure in context.Figures)
        {
            var r = FigureRenderer.Render(figure);
            Assert.True(r.SeriesColours.Distinct().Count() == r.SeriesColours.Count, $"{id}/{figure.Id}: series share a colour ({string.Join(", ", r.SeriesColours)})");
            FigureRendererTests.AssertInsideCanvas(r);
            foreach (var label in Labels(figure))
                Assert.True(!HasLiteralIndex(Typography.Pretty(label)), $"{id}/{figure.Id}: label '{label}' is drawn with a literal '_' or '^' ('{Typography.Pretty(label)}')");
        }
        // Signed heat maps: a diverging scale centred on zero, one scale shared by every map of the same quantity.
        var signed = context.Figures.Where(f => f.Kind == "heatmap" && f.Z is { } z && z.SelectMany(row => row).Any(v => v < 0) && z.SelectMany(row => row).Any(v => v > 0)).ToList();
        foreach (var f in signed)
            Assert.True(f.ZRange is [var lo, var hi] && lo == -hi, $"{id}/{f.Id}: signed heat map without a zero-centred shared ZRange");
        foreach (var group in signed.GroupBy(f => f.ZLabel ?? ""))
            Assert.True(group.Select(f => (f.ZRange![0], f.ZRange[1])).Distinct().Count() == 1, $"{id}: signed heat maps {string.Join(", ", group.Select(f => f.Id))} have different scales");
    }

    /// <summary>Every text of a figure a reader sees: title, axis and colour-bar labels, series names, categories.</summary>
    private static IEnumerable<string> Labels(Figure f) =>
        new[] { f.Title, f.XLabel, f.YLabel, f.ZLabel ?? "" }.Concat(f.Series.Select(s => s.Name)).Concat(f.Categories ?? []);

    /// <summary>
    /// A '_' or '^' attached to a word that Unicode could have set as a sub/superscript. Letters without a
    /// Unicode subscript (b, c, d, f, g, q, w, y, z: h_b, G_b) cannot be drawn otherwise in a PNG and are allowed;
    /// config keys (sgd_batch: a longer word after the '_') are names, not indices.
    /// </summary>
    public static bool HasLiteralIndex(string text)
    {
        const string NoSubscript = "bcdfgqwyzBCDFGQWYZ";
        for (int i = 1; i + 1 < text.Length; i++)
        {
            if (text[i] is not ('_' or '^') || !char.IsLetterOrDigit(text[i - 1]) && text[i - 1] is not (')' or '‖')) continue;
            char next = text[i + 1];
            bool single = i + 2 == text.Length || !char.IsLetterOrDigit(text[i + 2]);
            if (next == '{' || (single && !(text[i] == '_' && NoSubscript.Contains(next)))) return true;
        }
        return false;
    }

    [Theory]
    [InlineData("σ_k(UW)", true)]
    [InlineData("σₖ(UW)", false)]
    [InlineData("h_b h_aᵀ", false)]
    [InlineData("x^2", true)]
    [InlineData("s_{k+1}", true)]
    [InlineData("balance.sgd_batch", false)]
    public void The_literal_index_check_flags_what_could_have_been_set(string text, bool flagged) => Assert.Equal(flagged, HasLiteralIndex(text));
}
