using Noether.Experiments;
using Noether.Runs;

namespace Noether.Tests.Experiments;

public class MultimodalAlignmentTests
{
    [Fact]
    public void Quick_profile_claims_pass()
    {
        var exp = Registry.Get("multimodal-alignment");
        var config = exp.CreateConfig("quick");
        ConfigBinder.Validate(config);
        var ctx = new RunContext(1, "quick", 1, MetricsWriter.InMemory());
        var claims = exp.Run(config, ctx);
        Assert.Equal(11, claims.Count);
        // With three D_φ a member's ρ(D_φ, max uCKA) is −1 only if both steps fall; the 1 → 4 drop is in every
        // member of seeds 1–12, the 4 → 8 step in 9 of 12 (members 3, 10, 11 rise), so the mean over members 1–3 is −0.83.
        ClaimAssert.AllPassExcept(claims, new Dictionary<string, string>
        {
            ["I.heterogeneity-decreases-alignment"] = "the D_φ 4 → 8 step rises in member 3, so the mean ρ over members 1–3 is −0.83 (4/10 seeds pass)",
        });
        Assert.Contains(ctx.Figures, f => f.Id == "alignment-vs-uniqueness" && f.Kind == "line");
        Assert.Contains(ctx.Figures, f => f.Kind == "heatmap" && f.Z is not null);
    }

    [Theory]
    [InlineData("uniqueness=2,4,6", "uniqueness")]
    [InlineData("train.lr=0.01,0.01", "train.lr")]
    [InlineData("align.k=512", "align.k")]
    public void Invalid_settings_name_their_key(string assignment, string key)
    {
        var config = Registry.Get("multimodal-alignment").CreateConfig("quick");
        ConfigBinder.Set(config, assignment);
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Validate(config));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Full_profile_uses_the_paper_grids()
    {
        var config = (MultimodalAlignment.Config)Registry.Get("multimodal-alignment").CreateConfig("full");
        ConfigBinder.Validate(config);
        Assert.Equal(Enumerable.Range(0, 9), config.Uniqueness);
        Assert.Equal(Enumerable.Range(1, 10), config.HeterogeneityDepths);
        Assert.Equal(Enumerable.Range(1, 10), config.EncoderDepths);
    }
}
