using System.Text.Json.Nodes;
using Noether.Experiments;
using Noether.Runs;
using Noether.Training;

namespace Noether.Tests.Training;

public class PopulationLayoutTests
{
    private static PopulationLayout GammaRule() =>
        PopulationLayout.OfSeeds(3).With("gamma", [0.0, 0.01]).With("rule", ["sgd", "dfa"]);

    [Fact]
    public void Conditions_are_major_in_declaration_order_and_the_seed_innermost()
    {
        var layout = GammaRule();
        Assert.Equal(12, layout.Count);
        Assert.Equal(4, layout.Conditions);
        // member = ((gamma index · |rule|) + rule index) · K + seed index
        Assert.Equal(0, layout.Member(0, 0, 0));
        Assert.Equal(1, layout.Member(1, 0, 0));
        Assert.Equal(3, layout.Member(0, 0, 1));
        Assert.Equal(6, layout.Member(0, 1, 0));
        Assert.Equal(11, layout.Member(2, 1, 1));
    }

    [Fact]
    public void Every_member_round_trips_through_its_seed_and_condition()
    {
        var layout = GammaRule();
        for (int m = 0; m < layout.Count; m++)
            Assert.Equal(m, layout.Member(layout.SeedIndex(m), layout.Index(m, "gamma"), layout.Index(m, "rule")));
        for (int c = 0; c < layout.Conditions; c++)
            foreach (int m in layout.MembersOfCondition(c)) Assert.Equal(c, layout.ConditionOf(m));
    }

    [Fact]
    public void Values_stay_typed_and_give_per_member_vectors()
    {
        var layout = GammaRule().With(ConditionAxis.Of("arm", ["a", "b"]).And("sigma0", [0.0, 0.5]).And("width", [4, 8]));
        Assert.IsType<double>(layout.Value(7, "gamma"));
        Assert.IsType<string>(layout.Value(7, "rule"));
        Assert.IsType<int>(layout.Value(7, "width"));
        var gamma = layout.Values("gamma");
        Assert.Equal(layout.Count, gamma.Length);
        Assert.All(Enumerable.Range(0, layout.Count), m => Assert.Equal(m < 12 ? 0.0 : 0.01, gamma[m]));
        Assert.Equal(layout.Values("sigma0"), layout.Column("arm").Select(a => (string)a == "a" ? 0.0 : 0.5));
        Assert.Throws<InvalidOperationException>(() => layout.Values("rule"));
        Assert.Throws<ArgumentException>(() => layout.Value(0, "lr"));
    }

    [Fact]
    public void A_member_uses_run_seed_plus_its_seed_index_whatever_its_condition()
    {
        var ctx = new RunContext(10, "quick", 1, MetricsWriter.InMemory());
        var pop = ctx.Population("decay", GammaRule());
        for (int m = 0; m < pop.Count; m++)
        {
            Assert.Equal(10 + pop.Layout.SeedIndex(m), pop.Seed(m));
            Assert.Equal(ctx.SeedStream(pop.Layout.SeedIndex(m), "init").NextUInt64(), pop.Stream(m, "init").NextUInt64());
        }
    }

    [Fact]
    public void Members_name_phase_member_seed_and_typed_conditions_and_rows_carry_the_phase()
    {
        var metrics = MetricsWriter.InMemory();
        var ctx = new RunContext(3, "quick", 1, metrics);
        var pop = ctx.Population("decay", PopulationLayout.OfSeeds(2).With("gamma", [0.01, 0.1]));
        var entry = pop.Members().ElementAt(3);
        Assert.Equal("""{"phase":"decay","member":3,"seed":4,"gamma":0.1}""", entry.ToJsonString());
        Assert.Equal("gamma=0.1/seed=4", pop.Label(3));
        Assert.Equal("gamma=0.1/seed=4", new MemberLabels(pop.Members())["decay", 3]);
        Assert.Equal("member-9", new MemberLabels(pop.Members())["decay", 9]);
        pop.Log(5, 3, "l1", "alignment", 0.5);
        Assert.Equal(new MetricRow(5, "decay", 3, "l1", "alignment", 0.5), metrics.Rows.Single());
        Assert.Same(pop, ctx.Population("decay", PopulationLayout.OfSeeds(2).With("gamma", [0.01, 0.1])));
        Assert.Throws<InvalidOperationException>(() => ctx.Population("decay", PopulationLayout.OfSeeds(3)));
    }
}
