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

    /// <summary>
    /// The paper's noise-versus-regularisation control (docs/experiments/crh.md#noise-versus-regularisation): weight decay
    /// with a large batch (|B| = 256 of N = 2000: 16× less gradient-noise variance than |B| = 16) at the quick profile's
    /// 30 000 steps. The paper attributes the alignment to the interplay of noise and decay, so this should not align;
    /// here it aligns as much as SGD (full-batch GD too, measured once: mean₆α 0.911 against SGD's 0.916), so it is
    /// not a negative control of the alignment claims but a finding. This test keeps the finding true: if a change of
    /// the setting makes these claims fail at a large batch, the page must say so and this becomes a control in
    /// NegativeControl.cs.
    /// </summary>
    [Fact, Trait("Category", "Integration")]
    public void Large_batch_with_weight_decay_aligns_like_sgd_so_the_alignment_does_not_need_noise_here()
    {
        var exp = Registry.Get("crh");
        var config = ExperimentRunner.ResolveConfig(exp, new RunRequest("crh") { Sets = ["seeds=1", "batch=256", "weight_decays=0,0.02", "null_samples=2"] });
        var claims = exp.Run(config, new RunContext(1, "quick", 1, MetricsWriter.InMemory()));
        foreach (var id in new[] { "F.mean-alignment", "F.alignment-gain", "F.gradient-weight-alignment", "F.above-orthogonal-null" })
        {
            var c = claims.Single(x => x.Id == id);
            Assert.True(c.Passed, $"{id} now fails with a large batch ({Claim.Format(c.Measured)} {c.ComparisonText} {c.ThresholdText}): update docs/experiments/crh.md#noise-versus-regularisation and make this a negative control");
        }
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
