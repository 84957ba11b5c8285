using Noether.Experiments;
using Noether.Learning;
using Noether.Nn;
using Noether.Runs;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Tests.Experiments;

public class EntropicBalanceTests
{
    [Fact]
    public void Quick_profile_claims_pass()
    {
        var exp = Registry.Get("entropic-balance");
        var config = exp.CreateConfig("quick");
        ConfigBinder.Validate(config);
        var claims = exp.Run(config, new RunContext(1, "quick", 1, MetricsWriter.InMemory()));
        Assert.Equal(10, claims.Count);
        // Known non-reproductions (NegativeControls.Uncontrolled) fail at the default setting; every other claim passes.
        var known = NegativeControls.UncontrolledOf("entropic-balance").Select(u => u.ClaimId).ToHashSet();
        Assert.Equal(["D-deep.mutual-knn-gap"], known);
        foreach (var c in claims)
            Assert.True(c.Passed != known.Contains(c.Id), $"{c.Id}: measured {c.Measured} {c.ComparisonText} {c.ThresholdText} ({c.Details})");
    }

    /// <summary>A float64 two-layer linear net 6-9-4 with an unbalanced init (‖W‖ ≫ ‖U‖) on random data, trained by full-batch GD.</summary>
    private static (Trainer<double> Trainer, Linear<double> W, Linear<double> U) Gd(double lr, double weightDecay = 0)
    {
        var rng = new Rng(21);
        var net = Mlp.Build<double>(1, [6, 9, 4], "identity", bias: false);
        var (w, u) = (net.Linears.First(), net.Linears.Last());
        rng.FillNormal(w.Weight.Value.Span, 0, 2 / Math.Sqrt(6));
        rng.FillNormal(u.Weight.Value.Span, 0, 0.1 / 3);
        var x = new Tensor<double>(1, 40, 6); rng.FillNormal(x.Span, 0, 1);
        var y = new Tensor<double>(1, 40, 4); rng.FillNormal(y.Span, 0, 1);
        var trainer = new Trainer<double>(net, new MseLoss<double>(), new Sgd<double>(1, lr, weightDecay), new TrainingData<double>(x, y, perMember: true), 40, [new Rng(3)]);
        return (trainer, w, u);
    }

    private static double SumSq(ReadOnlySpan<double> v) { double s = 0; foreach (var x in v) s += x * x; return s; }

    /// <summary>
    /// D-c (docs/experiments/entropic-balance.md#d-c-setting-discretisation-force, docs/experiments/noise-equilibrium.md#charge-identity with γ = 0): along a full-batch GD trajectory the rescaling charge
    /// C = ‖W‖² − ‖U‖² is not conserved; it moves by exactly Σ_t η²(‖∇_W L‖² − ‖∇_U L‖²), at every step size.
    /// The sum is accumulated here by hand from the gradients the optimiser applies.
    /// </summary>
    [Theory]
    [InlineData(0.01)]
    [InlineData(0.05)]
    public void Gd_charge_drift_equals_the_accumulated_discretisation_term_in_float64(double lr)
    {
        var (trainer, w, u) = Gd(lr);
        double charge0 = SumSq(w.Weight.Value.Span) - SumSq(u.Weight.Value.Span);
        double accumulated = 0;
        trainer.AfterBackward.Add(_ => accumulated += lr * lr * (SumSq(w.Weight.Grad.Span) - SumSq(u.Weight.Grad.Span)));
        var drift = DiscreteChargeDrift<double>.Attach(trainer);
        trainer.Run(300, 1000);
        double charge = SumSq(w.Weight.Value.Span) - SumSq(u.Weight.Value.Span);
        Assert.True(Math.Abs(charge - charge0 - accumulated) <= 1e-12 * Math.Max(1, Math.Abs(charge0)),
            $"η={lr}: C_T − C_0 = {charge - charge0}, Σ η²(‖G_W‖² − ‖G_U‖²) = {accumulated}");
        Assert.True(Math.Abs(charge - charge0) > 1e-4, $"η={lr}: the drift {charge - charge0} is too small for the test to mean anything");
        var r = drift.Result(0);
        Assert.Equal(charge - charge0, r.Drift, 12);
        Assert.True(r.ScalarError <= 1e-12 && r.MatrixError <= 1e-12, $"scalar {r.ScalarError}, matrix {r.MatrixError}");
    }

    [Fact]
    public void The_drift_is_a_discretisation_effect_that_grows_with_the_step_size()
    {
        // Same init and data, same number of steps: the larger step drifts the charge further (gradient flow would not move it).
        double Drift(double lr)
        {
            var (trainer, _, _) = Gd(lr);
            var d = DiscreteChargeDrift<double>.Attach(trainer);
            trainer.Run(300, 1000);
            return Math.Abs(d.Result(0).Drift);
        }
        Assert.True(Drift(0.05) > 2 * Drift(0.01));
    }

    [Fact]
    public void Identity_tracks_weight_decay_and_flags_extra_gradient_terms()
    {
        var (decayed, _, _) = Gd(0.02, weightDecay: 0.1);
        var ok = DiscreteChargeDrift<double>.Attach(decayed);
        decayed.Run(200, 1000);
        Assert.True(ok.Result(0).ScalarError <= 1e-12 && ok.Result(0).MatrixError <= 1e-12);

        // A gradient term added after the tracker (decay on W alone) breaks the symmetry, so the identity must fail.
        var (broken, w, _) = Gd(0.02);
        var bad = DiscreteChargeDrift<double>.Attach(broken);
        broken.AfterBackward.Add(_ => { var g = w.Weight.Grad.Span; var v = w.Weight.Value.Span; for (int i = 0; i < g.Length; i++) g[i] += 0.1 * v[i]; });
        broken.Run(200, 1000);
        Assert.True(bad.Result(0).ScalarError > 1e-6);
    }

    [Theory]
    [InlineData("alignment.anneal_steps=40000", "alignment.anneal_steps")]
    [InlineData("neuron_balance.sgd_batch=1000", "neuron_balance.sgd_batch")]
    [InlineData("alignment.k=300", "alignment.k")]
    [InlineData("alignment.dose_batches=4,64", "alignment.dose_batches")]
    [InlineData("alignment.dose_batches=16,16", "alignment.dose_batches")]
    [InlineData("deep.scales_a=1,1", "deep.scales_a")]
    [InlineData("deep.activation=softsign", "deep.activation")]
    public void Bad_configs_name_the_key(string set, string key)
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentRunner.ResolveConfig(Registry.Get("entropic-balance"), new RunRequest("entropic-balance") { Sets = [set] }));
        Assert.Contains(key, e.Message);
    }
}
