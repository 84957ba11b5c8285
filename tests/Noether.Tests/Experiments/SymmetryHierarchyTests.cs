using Noether.Experiments;
using Noether.Probes;
using Noether.Runs;
using Noether.Tensors;

namespace Noether.Tests.Experiments;

public class SymmetryHierarchyTests
{
    [Fact]
    public void Quick_profile_claims_pass()
    {
        var exp = Registry.Get("symmetry-hierarchy");
        var config = exp.CreateConfig("quick");
        ConfigBinder.Validate(config);
        var claims = exp.Run(config, new RunContext(1, "quick", 1, MetricsWriter.InMemory()));
        Assert.Equal(7, claims.Count);
        foreach (var c in claims)
            Assert.True(c.Passed, $"{c.Id}: measured {c.Measured} {c.ComparisonText} {c.ThresholdText} ({c.Details})");
    }

    [Fact]
    public void Target_has_the_configured_spectrum()
    {
        var config = new SymmetryHierarchy.Config { Size = 6, TargetSpectrum = [5, 3, 0.5] };
        var s = Rank.SingularValues(SymmetryHierarchy.Target(config, new Rng(4)));
        double[] expected = [5, 3, 0.5, 0, 0, 0];
        for (int k = 0; k < 6; k++) Assert.Equal(expected[k], s[k], 10);
    }

    [Theory]
    [InlineData("target_spectrum=1,2,3", "target_spectrum")]
    [InlineData("gammas=0.5,0.5", "gammas")]
    [InlineData("syre.sigma0=0.1", "syre.gamma")]
    [InlineData("noise.batches=1,2000", "noise.batches")]
    public void Bad_configs_name_the_key(string set, string key)
    {
        var exp = Registry.Get("symmetry-hierarchy");
        var e = Assert.Throws<ConfigException>(() => ExperimentRunner.ResolveConfig(exp, new RunRequest("symmetry-hierarchy") { Sets = [set] }));
        Assert.Contains(key, e.Message);
    }
}
