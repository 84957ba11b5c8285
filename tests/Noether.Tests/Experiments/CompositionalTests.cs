using Noether.Experiments;
using Noether.Learning;
using Noether.Nn;
using Noether.Runs;
using Noether.Tensors;
using Noether.Tests.Engine;

namespace Noether.Tests.Experiments;

public class CompositionalTests
{
    [Fact]
    public void Quick_profile_claims_pass()
    {
        var exp = Registry.Get("compositional");
        var config = exp.CreateConfig("quick");
        ConfigBinder.Validate(config);
        var ctx = new RunContext(1, "quick", 1, MetricsWriter.InMemory());
        var claims = exp.Run(config, ctx);
        Assert.Equal(9, claims.Count);
        foreach (var c in claims)
            Assert.True(c.Passed, $"{c.Id}: measured {c.Measured} {c.ComparisonText} {c.ThresholdText} ({c.Details})");
        Assert.True(ctx.Extra["blank_ood_mse"] > 0);
        Assert.Contains(ctx.Figures, f => f.Kind == "images" && f.Images is { Count: > 0 });
        Assert.Contains(ctx.Figures, f => f.Id == "error-map-mlp" && f.Kind == "heatmap");
    }

    [Theory]
    [InlineData("grid.threshold=16", "grid.threshold")]
    [InlineData("mlp.batch_size=1000", "mlp.batch_size")]
    [InlineData("conv_decoder.size=32", "conv_decoder.size")]
    public void Invalid_settings_name_their_key(string assignment, string key)
    {
        var config = Registry.Get("compositional").CreateConfig("quick");
        ConfigBinder.Set(config, assignment);
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Validate(config));
        Assert.Contains(key, e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Stripe_render_backward_matches_finite_differences(int seed)
    {
        var rng = new Rng(seed);
        var layer = new StripeRender<double>(2, 3, 4, 5);
        foreach (var p in layer.Parameters) rng.FillNormal(p.Value.Span, 0, 1);
        var x = GradientCheck.AwayFromZero([2, 3, 6], rng);
        Assert.True(GradientCheck.Layer(layer, x, rng) <= 1e-6);
    }

    [Fact]
    public void Stripe_render_draws_a_vertical_and_a_horizontal_stripe_for_a_one_hot_code()
    {
        var layer = new StripeRender<double>(1, 3, 3, 3);
        // E_x = E_y = identity: a one-hot x renders column x, a one-hot y renders row y.
        for (int c = 0; c < 3; c++) { layer.Columns.Value[c * 3 + c] = 1; layer.Rows.Value[c * 3 + c] = 1; }
        var x = Tensor<double>.FromDoubles([0, 1, 0, 0, 0, 1], 1, 1, 6);
        var y = new Tensor<double>(1, 1, 2, 3, 3);
        layer.Forward(x, y, Compute.Serial);
        Assert.Equal([0, 1, 0, 0, 1, 0, 0, 1, 0], y.ToDoubles()[..9]);
        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 1, 1], y.ToDoubles()[9..]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Low_rank_embedding_backward_matches_finite_differences(int seed)
    {
        var rng = new Rng(seed);
        var layer = new LowRankEmbedding<double>(2, 3, 4);
        for (int m = 0; m < 2; m++) layer.Initialize(m, rng);
        var x = GradientCheck.AwayFromZero([2, 2, 6], rng);
        Assert.True(GradientCheck.Layer(layer, x, rng) <= 1e-6);
    }

    [Fact]
    public void Low_rank_embedding_of_a_one_hot_token_is_its_normalised_factor_product()
    {
        var layer = new LowRankEmbedding<double>(1, 2, 2);
        // Token 1 of x: λ = (2, 0), L = [[3, 0], [4, 1]] (columns → (0.6, 0.8), (0, 1)), R = [[1, 1], [0, 5]] (rows → (1,1)/√2, (0, 1)).
        layer.Spectrum[0].Value[2] = 2; layer.Spectrum[0].Value[3] = 0;
        double[] l = [3, 0, 4, 1], r = [1, 1, 0, 5];
        for (int i = 0; i < 4; i++) { layer.Left[0].Value[4 + i] = l[i]; layer.Right[0].Value[4 + i] = r[i]; }
        var x = Tensor<double>.FromDoubles([0, 1, 0, 0], 1, 1, 4);
        var y = new Tensor<double>(1, 1, 2, 2, 2);
        layer.Forward(x, y, Compute.Serial);
        // E = L̂ diag(λ) R̂ = 2·(0.6, 0.8)ᵀ(1, 1)/√2.
        double s = 2 / Math.Sqrt(2);
        var e = y.ToDoubles();
        Assert.Equal(0.6 * s, e[0], 12); Assert.Equal(0.6 * s, e[1], 12);
        Assert.Equal(0.8 * s, e[2], 12); Assert.Equal(0.8 * s, e[3], 12);
    }

    [Fact]
    public void Spectral_entropy_is_zero_for_rank_one_and_log_g_for_a_flat_spectrum()
    {
        var grad = new double[4];
        Assert.Equal(Math.Log(4), LowRankEmbeddingPenalty.SpectralEntropy<double>([1.0, -1.0, 1.0, 1.0], grad), 12);
        // A flat spectrum is a maximum of the entropy on the sphere: no gradient.
        Assert.All(grad, g => Assert.Equal(0, g, 12));
        Assert.Equal(0, LowRankEmbeddingPenalty.SpectralEntropy<double>([0.0, 3.0, 0.0, 0.0], grad), 5);
    }

    [Fact]
    public void Penalty_gradient_matches_finite_differences()
    {
        var rng = new Rng(4);
        var layer = new LowRankEmbedding<double>(1, 2, 3);
        foreach (var p in layer.Parameters) rng.FillNormal(p.Value.Span, 0, 1);
        double Value()
        {
            foreach (var p in layer.Parameters) p.Grad.Clear();
            return LowRankEmbeddingPenalty.AddGradient(layer, 0, 0.1, 0.01);
        }
        Value();
        var analytic = layer.Parameters.Select(p => p.Grad.Span.ToArray()).ToList();
        int i = 0;
        foreach (var p in layer.Parameters)
            Assert.True(GradientCheck.RelativeError(analytic[i++], GradientCheck.Numeric(p.Value, Value)) <= 1e-6, p.Name);
    }

    [Fact]
    public void Full_profile_adds_the_conv_decoder_and_the_low_rank_model()
    {
        var config = (Compositional.Config)Registry.Get("compositional").CreateConfig("full");
        ConfigBinder.Validate(config);
        Assert.True(config.ConvDecoder.Enabled);
        Assert.True(config.LowRank.Enabled);
        Assert.Equal(32, config.LowRank.Size);
        Assert.Equal(1.5, config.LowRank.Sigma);
    }
}
