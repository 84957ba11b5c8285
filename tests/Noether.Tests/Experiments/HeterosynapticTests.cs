using Noether.Experiments;
using Noether.Runs;

namespace Noether.Tests.Experiments;

public class HeterosynapticTests
{
    [Fact]
    public void Quick_profile_claims_pass()
    {
        var exp = Registry.Get("heterosynaptic");
        var config = exp.CreateConfig("quick");
        ConfigBinder.Validate(config);
        var ctx = new RunContext(1, "quick", 1, MetricsWriter.InMemory());
        var claims = exp.Run(config, ctx);
        Assert.Equal(16, claims.Count);
        foreach (var c in claims)
            Assert.True(c.Passed, $"{c.Id}: measured {c.Measured} {c.ComparisonText} {c.ThresholdText} ({c.Details})");
        Assert.Contains(ctx.Figures, f => f.Id == "evolution-phi");
    }

    [Theory]
    [InlineData("rule=dfa", "rule")]
    [InlineData("consistency.feedback_decays=0.001", "consistency.feedback_decays")]
    [InlineData("evolution.elites=5", "evolution.elites")]
    [InlineData("evolution.check_generation=8", "evolution.check_generation")]
    public void Invalid_settings_are_config_errors_naming_the_key(string assignment, string key)
    {
        var config = Registry.Get("heterosynaptic").CreateConfig("quick");
        ConfigBinder.Set(config, assignment);
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Validate(config));
        Assert.Contains(key, e.Message);
    }
}
