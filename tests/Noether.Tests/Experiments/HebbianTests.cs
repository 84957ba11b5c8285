using Noether.Experiments;
using Noether.Runs;

namespace Noether.Tests.Experiments;

public class HebbianTests
{
    [Fact]
    public void Quick_profile_claims_pass()
    {
        var exp = Registry.Get("hebbian");
        var config = exp.CreateConfig("quick");
        ConfigBinder.Validate(config);
        var ctx = new RunContext(1, "quick", 1, MetricsWriter.InMemory());
        var claims = exp.Run(config, ctx);
        Assert.Equal((21, 2), (claims.Count(c => c.Kind == ClaimKind.Claim), claims.Count(c => c.Kind == ClaimKind.Check))); // checks: A-E3.weak-form, A-E3.identity-ratio
        foreach (var c in claims)
            Assert.True(c.Passed, $"{c.Id}: measured {c.Measured} {c.ComparisonText} {c.ThresholdText} ({c.Details})");
        Assert.Contains(ctx.Figures, f => f.Id == "decay-alignment" && f.Kind == "bar");
        Assert.Contains(ctx.Figures, f => f.Id == "noise-boundary");
    }

    [Fact]
    public void Zero_crossing_interpolates_the_first_sign_change_and_is_NaN_without_one()
    {
        double[] sigmas = [0, 0.1, 0.2, 0.3];
        Assert.Equal(0.15, Hebbian.ZeroCrossing(sigmas, [0.5, 0.2, -0.2, -0.5]), 12);
        Assert.Equal(0.1, Hebbian.ZeroCrossing(sigmas, [0.5, 0.0, -0.2, 0.1]), 12);
        Assert.True(double.IsNaN(Hebbian.ZeroCrossing(sigmas, [0.5, 0.4, 0.3, 0.2])));
    }

    /// <summary>The monotone claims' value (docs/experiments/hebbian.md#a-e1rulemonotone): the largest step against the trend over the total change, ∞ for flat or reversed data.</summary>
    [Fact]
    public void Against_trend_is_relative_to_the_total_change_and_infinite_without_one()
    {
        Assert.Equal(0, Hebbian.AgainstTrend([0.0, 0.1, 0.3, 0.5], rising: true));
        Assert.Equal(0.1, Hebbian.AgainstTrend([0.0, 0.3, 0.25, 0.5], rising: true), 12);
        Assert.Equal(0.25, Hebbian.AgainstTrend([0.8, 0.1, 0.3, 0.0], rising: false), 12);
        Assert.True(double.IsPositiveInfinity(Hebbian.AgainstTrend([0.2, 0.2, 0.2], rising: true)));
        Assert.True(double.IsPositiveInfinity(Hebbian.AgainstTrend([0.2, 0.21, 0.19], rising: true)));
        Assert.True(double.IsPositiveInfinity(Hebbian.AgainstTrend([-0.5, 0.0, 0.5], rising: false)));
    }

    [Theory]
    [InlineData("decay.weight_decays=0.01,0.03", "decay.weight_decays")]
    [InlineData("noise.reference_weight_decay=0.07", "noise.reference_weight_decay")]
    [InlineData("noise.sigmas=0,0.2,0.1", "noise.sigmas")]
    [InlineData("noise.gradient_sigmas=1,0.5", "noise.gradient_sigmas")]
    public void Invalid_sweeps_are_config_errors_naming_the_key(string assignment, string key)
    {
        var config = Registry.Get("hebbian").CreateConfig("quick");
        ConfigBinder.Set(config, assignment);
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Validate(config));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Weak_form_needs_decay_and_enough_steps()
    {
        var config = Registry.Get("hebbian").CreateConfig("quick");
        ConfigBinder.Set(config, "weak_form.steps=100");
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Validate(config));
        Assert.Contains("weak_form.steps", e.Message);
        ConfigBinder.Set(config, "rule.l2=0");
        e = Assert.Throws<ConfigException>(() => ConfigBinder.Validate(config));
        Assert.Contains("rule.l2", e.Message);
    }
}
