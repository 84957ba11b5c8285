using Noether.Experiments;
using Noether.Learning;
using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Tests.Learning;

public class SyreRegularizerTests
{
    /// <summary>A tanh net trained by minibatch SGD on random data, with weight decay <paramref name="wd"/> in the optimiser.</summary>
    private static (Sequential<T> Net, Trainer<T> Trainer) Build<T>(double wd, int members = 1) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var net = Mlp.Build<T>(members, [5, 7, 3], "tanh", bias: true);
        net.Initialize(InitScheme.LeCun, Enumerable.Range(0, members).Select(m => new Rng(11 + m).Child("init")).ToArray());
        var x = new Tensor<T>(members, 30, 5); var y = new Tensor<T>(members, 30, 3);
        for (int m = 0; m < members; m++)
        {
            var rng = new Rng(3 + m).Child("data");
            rng.FillNormal(x.SliceSpan(m), 0, 1); rng.FillNormal(y.SliceSpan(m), 0, 1);
        }
        var trainer = new Trainer<T>(net, new MseLoss<T>(), new Sgd<T>(members, 0.1, wd), new TrainingData<T>(x, y, perMember: true), 6,
            Enumerable.Range(0, members).Select(m => new Rng(5 + m).Child("batches")).ToArray());
        return (net, trainer);
    }

    /// <summary>The config's syre as the decay phase of a one-rule stack on the trainer (member m draws from Rng(seed).Child("syre")).</summary>
    private static SyreDecay<T>? Attach<T>(SyreConfig config, Trainer<T> trainer, int seed) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var syre = config.Rule(trainer.Network, (m, name) => new Rng(seed).Child(name));
        if (syre is not null) trainer.Use(new RuleStack<T>([syre]));
        return syre;
    }

    private static ulong[] Bits(Sequential<double> net) =>
        net.Parameters.SelectMany(p => p.Value.ToDoubles()).Select(v => (ulong)BitConverter.DoubleToInt64Bits(v)).ToArray();

    private static uint[] Bits(Sequential<float> net) =>
        net.Parameters.SelectMany(p => p.Value.Span.ToArray()).Select(BitConverter.SingleToUInt32Bits).ToArray();

    [Fact]
    public void Sigma0_zero_reproduces_sgd_weight_decay_bit_for_bit_in_float64()
    {
        const double gamma = 3e-3;
        var (vanilla, tv) = Build<double>(wd: 2 * gamma);
        var (syre, ts) = Build<double>(wd: 0);
        var config = new SyreConfig { Gamma = gamma, Sigma0 = 0 };
        Assert.NotNull(Attach(config, ts, 1));
        tv.Run(200, 1000); ts.Run(200, 1000);
        Assert.Equal(Bits(vanilla), Bits(syre));
    }

    [Fact]
    public void Sigma0_zero_reproduces_sgd_weight_decay_bit_for_bit_in_float32()
    {
        const double gamma = 1e-2;
        var (vanilla, tv) = Build<float>(wd: 2 * gamma);
        var (syre, ts) = Build<float>(wd: 0);
        Attach(new SyreConfig { Gamma = gamma }, ts, 1);
        tv.Run(200, 1000); ts.Run(200, 1000);
        Assert.Equal(Bits(vanilla), Bits(syre));
    }

    [Fact]
    public void Positive_sigma0_changes_the_trajectory()
    {
        // Guards the bit-for-bit tests against a hook that is never called.
        var (vanilla, tv) = Build<double>(wd: 2e-2);
        var (syre, ts) = Build<double>(wd: 0);
        Attach(new SyreConfig { Gamma = 1e-2, Sigma0 = 0.1 }, ts, 1);
        tv.Run(20, 1000); ts.Run(20, 1000);
        Assert.NotEqual(Bits(vanilla), Bits(syre));
    }

    [Fact]
    public void AddGradient_adds_two_gamma_times_w_minus_offset()
    {
        var prm = new Parameter<double>("w", [2, 3], ParameterRole.Weight, 3, 1);
        double[] w = [1.0, -2.0, 0.5, 3.0, 0.0, -1.0];
        double[] g = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        w.CopyTo(prm.Value.Span); g.CopyTo(prm.Grad.Span);
        var syre = new SyreRegularizer<double>([prm], gamma: [0.25, 0.0], sigma0: [0.5, 0.5], sigmaD: [0, 0], [new Rng(7), new Rng(8)]);
        var offset = syre.Offset(0).ToDoubles();
        syre.AddGradient();
        for (int j = 0; j < 3; j++) Assert.Equal(g[j] + 0.5 * (w[j] - offset[j]), prm.Grad[j], 14);
        for (int j = 3; j < 6; j++) Assert.Equal(g[j], prm.Grad[j]); // γ = 0: member untouched
        double penalty = 0.25 * Enumerable.Range(0, 3).Sum(j => (w[j] - offset[j]) * (w[j] - offset[j]));
        Assert.Equal(penalty, syre.Penalty(0), 14);
        Assert.Equal(0.0, syre.Penalty(1));
    }

    [Fact]
    public void Offsets_have_std_sigma0_and_D_does_not_shift_them()
    {
        var prm = new Parameter<double>("w", [1, 200, 100], ParameterRole.Weight, 100, 200);
        var plain = new SyreRegularizer<double>([prm], [1e-3], [0.2], [0], [new Rng(9).Child("syre")]);
        var withD = new SyreRegularizer<double>([prm], [1e-3], [0.2], [0.5], [new Rng(9).Child("syre")]);
        var o = plain.Offset(0).ToDoubles();
        double mean = o.Average(), sd = Math.Sqrt(o.Sum(v => (v - mean) * (v - mean)) / (o.Length - 1));
        Assert.InRange(sd, 0.19, 0.21);
        Assert.InRange(mean, -0.01, 0.01);
        Assert.Equal(o, withD.Offset(0).ToDoubles());
        Assert.Null(plain.DecayScale(0));
        var d = withD.DecayScale(0)!.ToDoubles();
        Assert.True(d.All(v => v >= 1));
        // E|ξ| = √(2/π) for ξ ~ N(0,1), so the mean of D is 1 + σ_D√(2/π).
        Assert.InRange(d.Average(), 1 + 0.5 * Math.Sqrt(2 / Math.PI) - 0.01, 1 + 0.5 * Math.Sqrt(2 / Math.PI) + 0.01);
    }

    [Fact]
    public void Syre_breaks_the_permutation_symmetry_that_weight_decay_keeps()
    {
        // Two hidden neurons with identical weights stay identical under SGD + L2 (the symmetric trap, docs/experiments/syre.md#protocol);
        // with syre they separate.
        double Distance(Sequential<double> net)
        {
            var w = net.Linears.First().Weight.Value;
            double s = 0;
            for (int j = 0; j < 5; j++) s += (w[0, 0, j] - w[0, 1, j]) * (w[0, 0, j] - w[0, 1, j]);
            return Math.Sqrt(s);
        }
        Sequential<double> Run(bool syre)
        {
            var (net, trainer) = Build<double>(wd: syre ? 0 : 2e-2);
            var (w, u) = (net.Linears.First(), net.Linears.Last());
            for (int j = 0; j < 5; j++) w.Weight.Value[0, 1, j] = w.Weight.Value[0, 0, j];
            w.Bias!.Value[0, 1] = w.Bias.Value[0, 0];
            for (int o = 0; o < 3; o++) u.Weight.Value[0, o, 1] = u.Weight.Value[0, o, 0];
            if (syre) Attach(new SyreConfig { Gamma = 1e-2, Sigma0 = 0.1 }, trainer, 2);
            trainer.Run(300, 1000);
            return net;
        }
        Assert.Equal(0.0, Distance(Run(syre: false)));
        Assert.True(Distance(Run(syre: true)) > 1e-3);
    }

    [Fact]
    public void Config_off_attaches_nothing_and_offset_without_decay_is_rejected()
    {
        var (_, trainer) = Build<double>(wd: 0);
        Assert.Null(Attach(new SyreConfig(), trainer, 1));
        Assert.Empty(trainer.AfterBackward);
        var e = Assert.Throws<ConfigException>(() => new SyreConfig { Sigma0 = 0.1 }.Validate());
        Assert.Contains("syre.gamma", e.Message);
    }

    [Fact]
    public void Weights_scope_leaves_biases_alone()
    {
        var (net, _) = Build<double>(wd: 0);
        var selected = new SyreConfig { Gamma = 1e-3, Scope = "weights" }.SelectParameters(net);
        Assert.All(selected, p => Assert.Equal(ParameterRole.Weight, p.Role));
        Assert.Equal(2, selected.Count);
        Assert.Equal(4, new SyreConfig { Gamma = 1e-3 }.SelectParameters(net).Count);
    }
}
