using Noether.Experiments;
using Noether.Nn;
using Noether.Probes;
using Noether.Runs;
using Noether.Tensors;
using Noether.Training;

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
        var ctx = new RunContext(seed, "quick", 1, MetricsWriter.InMemory());
        var claims = exp.Run(config, ctx);
        Assert.Equal(12, claims.Count);
        foreach (var id in new[] { "H-a.rate-batch-exponent", "H-a.rate-lr-exponent", "H-b.growth-law", "H-d.warmup-rescues", "H-d.warmup-init-independent" })
            Assert.Contains(claims, c => c.Id == id && c.Kind == ClaimKind.Claim);
        foreach (var c in claims)
            Assert.True(c.Passed, $"{c.Id}: measured {c.Measured} {c.ComparisonText} {c.ThresholdText} ({c.Details})");
        Assert.Contains(ctx.Figures, f => f.Id == "warmup-trace");
        Assert.Contains(ctx.Figures, f => f.Id == "warmup-trace-grid");
        // The grid straddles the stability limit: some Kaiming runs without warmup diverge, others converge.
        Assert.Equal(0.0, ctx.Extra["warmup.lr_0.01.diverged_without_warmup"]);
        Assert.Equal(3.0, ctx.Extra["warmup.lr_0.1.diverged_without_warmup"]);
        // The curves' closed form and the generic probe agree on every surviving member at the end.
        Assert.True(ctx.Extra["warmup.closed_form_trace_max_relative_error"] < 1e-6);
    }

    [Fact]
    public void Warmup_claim_fails_below_the_stability_limit_of_the_kaiming_init()
    {
        // At η = 0.01 (η·λ_max(H₀) ≈ 0.5–0.7) the Kaiming run without warmup is stable, so there is nothing to rescue: the claim must not pass.
        var exp = Registry.Get("noise-equilibrium");
        var config = exp.CreateConfig("quick");
        foreach (var set in new[] { "seeds=1", "balance.sgd_steps=1", "balance.gd_steps=1", "scale.steps=1", "balance.rate_max_steps=1",
                     "warmup.lr=0.01", "warmup.lrs=0.01", "warmup.steps=2000", "warmup.warmup_steps=1000" })
            ConfigBinder.Set(config, set);
        ConfigBinder.Validate(config);
        var claims = exp.Run(config, new RunContext(1, "quick", 1, MetricsWriter.InMemory()));
        var rescues = claims.Single(c => c.Id == "H-d.warmup-rescues");
        Assert.False(rescues.Passed, $"measured {rescues.Measured} ({rescues.Details})");
    }

    [Fact]
    public void Imbalance_is_zero_for_a_balanced_pair_and_one_for_a_one_sided_one()
    {
        // W = Uᵀ with d = o gives UᵀU = WWᵀ exactly; U = 0 gives imbalance 1.
        var w = Tensor<float>.FromDoubles([1, 2, 3, 4, 5, 6], 3, 2);
        var u = Tensor<float>.FromDoubles([1, 3, 5, 2, 4, 6], 2, 3);
        Assert.Equal(0, NoiseEquilibrium.Imbalance(w, u), 6);
        Assert.Equal(1, NoiseEquilibrium.Imbalance(w, new Tensor<float>(2, 3)), 6);
    }

    /// <summary>Random data y unrelated to x and a random θ: far from any minimum, so the residuals are large.</summary>
    private static (TrainingData<double> Data, Sequential<double> Net) RandomLinearNet(int members, int n, int d, int h, int o, int seed)
    {
        var rng = new Rng(seed);
        var x = new Tensor<double>(members, n, d); rng.FillNormal(x.Span, 0, 1.5);
        var y = new Tensor<double>(members, n, o); rng.FillNormal(y.Span, 0, 2);
        var net = Mlp.Build<double>(members, [d, h, o], "identity", bias: false);
        foreach (var p in net.Parameters) rng.FillNormal(p.Value.Span, 0, 0.8);
        return (new TrainingData<double>(x, y, perMember: true), net);
    }

    [Fact]
    public void Hessian_trace_closed_form_equals_the_sharpness_probe_away_from_a_minimum()
    {
        // The closed form of docs/experiments/noise-equilibrium.md#h-d-setting-warmup gives Tr H = Tr(Σ_x)‖U‖² + o·Tr(WΣ_xWᵀ) at a minimum; it holds at every θ because f = UWx is linear in each single weight.
        const int n = 24, d = 3, h = 4, o = 2;
        var (data, net) = RandomLinearNet(2, n, d, h, o, seed: 7);
        var single = Mlp.Build<double>(1, [d, h, o], "identity", bias: false);
        for (int m = 0; m < 2; m++)
        {
            var x = data.Inputs.Slice(m);
            var sigma = new Tensor<double>(d, d);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++)
                    for (int l = 0; l < d; l++) sigma[j, l] += x[i, j] * x[i, l] / n;
            var lin = net.Linears.ToArray();
            double closed = Sharpness.TwoLayerLinearTrace(lin[0].Weight.Value.Slice(m), lin[1].Weight.Value.Slice(m), sigma);
            var gradient = new MemberLossGradient(single, new MseLoss<double>(half: true), data, m);
            double probe = Sharpness.ExactTrace(gradient.Gradient, MemberLossGradient.Flatten(net, m));
            Assert.True(closed > 1, $"trace {closed}");
            Assert.Equal(1, probe / closed, 8);
        }
    }

    [Fact]
    public void Orbit_minimum_trace_is_reached_at_the_balanced_factorisation_and_bounds_every_other()
    {
        // With Σ̂ = I and d = o, P = A·diag(s)·Bᵀ is factorised in balance by U = A·diag(√s), W = diag(√s)·Bᵀ (h = d), where
        // Tr H = 2d·Σ s = 2√(d·o)·‖P‖_*; every other factorisation of the same P, (UG⁻¹, GW), is sharper.
        const int d = 4, h = 6;
        var rng = new Rng(13);
        var w = new Tensor<double>(h, d); rng.FillNormal(w.Span, 0, 1);
        var u = new Tensor<double>(d, h); rng.FillNormal(u.Span, 0, 0.3);
        var identity = new Tensor<double>(d, d);
        for (int i = 0; i < d; i++) identity[i, i] = 1;
        var p = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(d, d, (i, j) => Enumerable.Range(0, h).Sum(r => u[i, r] * w[r, j]));
        var svd = p.Svd();
        var balancedU = new Tensor<double>(d, d);
        var balancedW = new Tensor<double>(d, d);
        for (int i = 0; i < d; i++)
            for (int k = 0; k < d; k++)
            {
                balancedU[i, k] = svd.U[i, k] * Math.Sqrt(svd.S[k]);
                balancedW[k, i] = Math.Sqrt(svd.S[k]) * svd.VT[k, i];
            }
        double minimum = Sharpness.TwoLayerLinearOrbitMinimumTrace(w, u, identity);
        Assert.Equal(1, Sharpness.TwoLayerLinearTrace(balancedW, balancedU, identity) / minimum, 10);
        Assert.Equal(1, Sharpness.TwoLayerLinearOrbitMinimumTrace(balancedW, balancedU, identity) / minimum, 10);
        Assert.True(Sharpness.TwoLayerLinearTrace(w, u, identity) > minimum);
    }

    [Fact]
    public void Equivalent_rows_give_the_gradient_and_loss_differences_of_the_full_data()
    {
        const int n = 40, d = 3, h = 5, o = 2;
        var (data, net) = RandomLinearNet(2, n, d, h, o, seed: 11);
        var rows = SquareLossEquivalentRows.Of(data);
        Assert.Equal(d, rows.Count);
        var single = Mlp.Build<double>(1, [d, h, o], "identity", bias: false);
        var loss = new MseLoss<double>(half: true);
        var rng = new Rng(5);
        for (int m = 0; m < 2; m++)
        {
            var full = new MemberLossGradient(single, loss, data, m);
            var small = new MemberLossGradient(single, loss, rows, m);
            var a = MemberLossGradient.Flatten(net, m);
            var b = a.Select(v => v + rng.Normal(0, 0.5)).ToArray();
            var (gFull, gSmall) = (full.Gradient(a), small.Gradient(a));
            double scale = gFull.Max(Math.Abs);
            for (int i = 0; i < gFull.Length; i++) Assert.True(Math.Abs(gFull[i] - gSmall[i]) <= 1e-11 * scale, $"gradient entry {i}: {gFull[i]} vs {gSmall[i]}");
            // The losses differ by a constant (the part of Y outside the span of X).
            Assert.Equal(full.Loss(a) - full.Loss(b), small.Loss(a) - small.Loss(b), 10);
        }
    }

    [Fact]
    public void Member_loss_gradient_matches_central_differences_of_the_loss()
    {
        var rng = new Rng(3);
        var x = new Tensor<double>(16, 3); rng.FillNormal(x.Span, 0, 1);
        var y = new Tensor<double>(16, 2); rng.FillNormal(y.Span, 0, 1);
        var data = new TrainingData<double>(x, y);
        var population = Mlp.Build<double>(3, [3, 4, 2], "tanh", bias: true);
        foreach (var p in population.Parameters) rng.FillNormal(p.Value.Span, 0, 0.7);
        var g = new MemberLossGradient(Mlp.Build<double>(1, [3, 4, 2], "tanh", bias: true), new MseLoss<double>(half: true), data, member: 2);
        var theta = MemberLossGradient.Flatten(population, 2);
        Assert.Equal(g.Count, theta.Length);
        var grad = g.Gradient(theta);
        const double eps = 1e-6;
        for (int i = 0; i < theta.Length; i++)
        {
            var plus = (double[])theta.Clone(); plus[i] += eps;
            var minus = (double[])theta.Clone(); minus[i] -= eps;
            Assert.Equal((g.Loss(plus) - g.Loss(minus)) / (2 * eps), grad[i], 7);
        }
    }
}
