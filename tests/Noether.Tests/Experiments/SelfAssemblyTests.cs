using Noether.Experiments;
using Noether.Runs;
using Noether.Tensors;

namespace Noether.Tests.Experiments;

public class SelfAssemblyTests
{
    [Fact]
    public void Quick_profile_claims_pass()
    {
        var exp = Registry.Get("self-assembly");
        var config = exp.CreateConfig("quick");
        ConfigBinder.Validate(config);
        var ctx = new RunContext(1, "quick", 1, MetricsWriter.InMemory());
        var claims = exp.Run(config, ctx);
        Assert.Equal(9, claims.Count);
        // C-E3 (the project's four-synapse hypothesis) with relays that learn from n·C/tr C reproduces; with the plain
        // delta rule (four_synapse.normalised=false, a negative control) it fails, docs/experiments/self-assembly.md#outcome.
        foreach (var c in claims)
            Assert.True(c.Passed, $"{c.Id}: measured {c.Measured} {c.ComparisonText} {c.ThresholdText} ({c.Details})");
        var fig = Assert.Single(ctx.Figures, f => f.Id == "feedback-alignment");
        Assert.Contains(fig.Series, s => s.Name.StartsWith("kp"));
    }

    [Fact]
    public void Identity_cosine_is_one_for_multiples_of_I_minus_one_for_negatives_and_near_zero_for_random()
    {
        var eye = new Tensor<double>(8, 8);
        for (int i = 0; i < 8; i++) eye[i, i] = 3;
        Assert.Equal(1, SelfAssembly.IdentityCosine(eye), 12);
        for (int i = 0; i < 8; i++) eye[i, i] = -0.5;
        Assert.Equal(-1, SelfAssembly.IdentityCosine(eye), 12);
        var random = new Tensor<double>(200, 200);
        new Rng(4).FillNormal(random.Span, 0, 1);
        Assert.InRange(SelfAssembly.IdentityCosine(random), -0.02, 0.02); // ~ N(0, 1/n)
    }

    [Theory]
    [InlineData("rule=backprop", "rule")]
    [InlineData("rule.l2=0", "rule.l2")]
    [InlineData("baselines=fa,dfa", "baselines")]
    public void Invalid_settings_are_config_errors_naming_the_key(string assignment, string key)
    {
        var config = Registry.Get("self-assembly").CreateConfig("quick");
        ConfigBinder.Set(config, assignment);
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Validate(config));
        Assert.Contains(key, e.Message);
    }
}
