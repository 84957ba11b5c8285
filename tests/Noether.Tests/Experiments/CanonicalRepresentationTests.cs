using Noether.Experiments;
using Noether.Runs;

namespace Noether.Tests.Experiments;

public class CanonicalRepresentationTests
{
    [Fact]
    public void Quick_profile_claims_pass()
    {
        var exp = Registry.Get("crh");
        var config = exp.CreateConfig("quick");
        ConfigBinder.Validate(config);
        var ctx = new RunContext(1, "quick", 1, MetricsWriter.InMemory());
        var claims = exp.Run(config, ctx);
        Assert.Equal(4, claims.Count);
        foreach (var c in claims)
            Assert.True(c.Passed, $"{c.Id}: measured {c.Measured} {c.ComparisonText} {c.ThresholdText} ({c.Details})");
        // PAH is reported, not claimed: an exponent and R² for each of the four pairs, γ and seed.
        Assert.Equal(4 * 3 * 4 * 2, ctx.Metrics.Rows.Count(r => r.Phase == "train" && r.Name.StartsWith("pah_")));
    }

    [Theory]
    [InlineData("weight_decays=0.001,0.02", "weight_decays")]
    [InlineData("weight_decays=0", "weight_decays")]
    [InlineData("batch=5000", "batch")]
    public void Bad_configs_name_the_key(string set, string key)
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentRunner.ResolveConfig(Registry.Get("crh"), new RunRequest("crh") { Sets = [set] }));
        Assert.Contains(key, e.Message);
    }
}
