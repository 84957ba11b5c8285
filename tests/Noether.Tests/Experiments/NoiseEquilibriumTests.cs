using Noether.Experiments;
using Noether.Runs;

namespace Noether.Tests.Experiments;

public class NoiseEquilibriumTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Quick_profile_claims_pass(long seed)
    {
        var exp = Registry.Get("noise-equilibrium");
        var config = exp.CreateConfig("quick");
        ConfigBinder.Validate(config);
        var claims = exp.Run(config, new RunContext(seed, "quick", 1, MetricsWriter.InMemory()));
        Assert.Equal(7, claims.Count);
        foreach (var c in claims)
            Assert.True(c.Passed, $"{c.Id}: measured {c.Measured} {c.ComparisonText} {c.ThresholdText} ({c.Details})");
    }

    [Fact]
    public void Imbalance_is_zero_for_a_balanced_pair_and_one_for_a_one_sided_one()
    {
        // W = Uᵀ with d = o gives UᵀU = WWᵀ exactly; U = 0 gives imbalance 1.
        var w = Noether.Tensors.Tensor<float>.FromDoubles([1, 2, 3, 4, 5, 6], 3, 2);
        var u = Noether.Tensors.Tensor<float>.FromDoubles([1, 3, 5, 2, 4, 6], 2, 3);
        Assert.Equal(0, NoiseEquilibrium.Imbalance(w, u), 6);
        Assert.Equal(1, NoiseEquilibrium.Imbalance(w, new Noether.Tensors.Tensor<float>(2, 3)), 6);
    }
}
