using Noether.Experiments;
using Noether.Runs;

namespace Noether.Tests.Experiments;

public class SymmetryRemovalTests
{
    [Fact]
    public void Quick_profile_claims_pass()
    {
        var exp = Registry.Get("syre");
        var config = exp.CreateConfig("quick");
        ConfigBinder.Validate(config);
        var claims = exp.Run(config, new RunContext(1, "quick", 1, MetricsWriter.InMemory()));
        Assert.Equal(10, claims.Count);
        foreach (var c in claims)
            Assert.True(c.Passed, $"{c.Id}: measured {c.Measured} {c.ComparisonText} {c.ThresholdText} ({c.Details})");
    }

    [Theory]
    [InlineData("syre.gamma=0", "syre.gamma")]
    [InlineData("extra_gamma=0.001", "extra_sigma0")]
    [InlineData("strong_gamma=0.01", "strong_gamma")]
    [InlineData("teacher_weights=uniform", "teacher_weights")]
    public void Bad_configs_name_the_key(string set, string key)
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentRunner.ResolveConfig(Registry.Get("syre"), new RunRequest("syre") { Sets = [set] }));
        Assert.Contains(key, e.Message);
    }
}
