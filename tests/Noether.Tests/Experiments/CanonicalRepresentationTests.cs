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
        Assert.Equal(5, claims.Count);
        // F.crh-exponent does not reproduce: the spectra follow reciprocal power laws (PAH), docs/experiments/crh.md#fcrh-exponent.
        ClaimAssert.AllPassExcept(claims, new Dictionary<string, string> { ["F.crh-exponent"] = "PAH phase, not CRH proportionality" });
        Assert.InRange(claims.Single(c => c.Id == "F.crh-exponent").Measured, 0.5, 1.0);
        // Exponent and R² of six relations, for every wd and seed.
        Assert.Equal(6 * 3 * 4 * 2, ctx.Metrics.Rows.Count(r => r.Phase == "train" && r.Name.StartsWith("pah_")));
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
