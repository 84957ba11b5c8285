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
        }
    }
}
