using Noether.Learning;
using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;
using static Noether.Tests.Learning.RuleFixture;

namespace Noether.Tests.Learning;

/// <summary>Noise injection at the parameter, gradient and input sites, and coupled L2, against known statistics.</summary>
public class NoiseAndDecayTests
{
    private static RuleStep<double> StepOf(Sequential<double> net, Tensor<double> inputs) =>
        new(net, new MseLoss<double>(), new Sgd<double>(net.Members, 0.1), new ConstantSchedule(), inputs, inputs);

    private static (double Mean, double Variance) Moments(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double mean = v.Average();
        return (mean, v.Select(x => (x - mean) * (x - mean)).Sum() / (v.Length - 1));
    }

    [Fact]
    public void Parameter_noise_has_mean_zero_and_variance_sigma_squared_and_is_removed_before_the_step()
    {
        var net = Net(2, [100, 200], "identity", bias: false);
        var clean = net.Linears.First().Weight.Value.Clone();
        var rule = new ParameterNoise<double>(net, Streams(5), [0.3, 0.0]);
        var step = StepOf(net, new Tensor<double>(2, 1, 100));
        rule.BeforeForward(step);
        var w = net.Linears.First().Weight.Value;
        var diff = Enumerable.Range(0, w.Stride0).Select(i => w.SliceSpan(0)[i] - clean.SliceSpan(0)[i]).ToArray();
        var (mean, variance) = Moments(diff);
        Assert.InRange(mean, -4 * 0.3 / Math.Sqrt(diff.Length), 4 * 0.3 / Math.Sqrt(diff.Length));
        Assert.InRange(variance / 0.09, 0.96, 1.04); // relative std of the estimate √(2/20000) = 1%
        Assert.Equal(clean.SliceSpan(1).ToArray(), w.SliceSpan(1).ToArray()); // σ = 0 member untouched
        rule.BeforeStep(step);
        Assert.Equal(clean.ReadOnlySpan.ToArray(), w.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Parameter_noise_makes_the_SGD_Hebbian_product_match_the_closed_form()
    {
        // The noise boundary of docs/experiments/hebbian.md#claim, one sample of linear regression ℓ = ½(wᵀx − y)² at w = v + ε, ε ~ N(0, σ²I):
        // E[Δ_SGDᵀΔ_Hebb] = −‖x‖²[(vᵀx)² + σ²‖x‖² − (vᵀx)y], and E[∇ℓ(w)] = ∇ℓ(v) (the noise averages out of E g).
        const int members = 4000, d = 4;
        const double sigma = 0.25, y = 0.7;
        double[] x = [0.9, -0.4, 1.2, 0.3], v = [0.5, 0.2, -0.3, 0.8];
        var net = Mlp.Build<double>(members, [d, 1], "identity", bias: false);
        for (int m = 0; m < members; m++) Initializer.Set(net.Linears.First().Weight, m, v);
        var inputs = new Tensor<double>(members, 1, d);
        var targets = new Tensor<double>(members, 1, 1);
        for (int m = 0; m < members; m++) { x.CopyTo(inputs.SliceSpan(m)); targets.SliceSpan(m)[0] = y; }
        var rule = new ParameterNoise<double>(net, Streams(11), Enumerable.Repeat(sigma, members).ToArray());
        var step = StepOf(net, inputs);
        var loss = new MseLoss<double>(half: true);
        var lossBuf = new double[members];
        var products = new List<double>();
        var meanGrad = new double[d];
        const int rounds = 25;
        for (int r = 0; r < rounds; r++)
        {
            rule.BeforeForward(step);
            var output = net.Forward(inputs);
            var grad = net.OutputGradientBuffer(1);
            loss.Evaluate(output, targets, lossBuf, grad);
            net.Backward(grad);
            var g = net.Linears.First().Weight.Grad;
            for (int m = 0; m < members; m++)
            {
                double hb = output.SliceSpan(m)[0], dot = 0;
                for (int j = 0; j < d; j++)
                {
                    dot += -g.SliceSpan(m)[j] * x[j] * hb; // Δ_SGD = −∇ℓ, Δ_Hebb = x·h_b
                    meanGrad[j] += g.SliceSpan(m)[j] / (members * rounds);
                }
                products.Add(dot);
            }
            rule.BeforeStep(step);
        }
        double xx = x.Sum(a => a * a), vx = x.Zip(v, (a, b) => a * b).Sum();
        double expected = -xx * (vx * vx + sigma * sigma * xx - vx * y);
        var (mean, variance) = Moments(products);
        double se = Math.Sqrt(variance / products.Count);
        Assert.True(Math.Abs(mean - expected) < 4 * se, $"E[Δ_SGDᵀΔ_Hebb] measured {mean} ± {se}, closed form {expected}");
        for (int j = 0; j < d; j++)
            Assert.True(Math.Abs(meanGrad[j] - (vx - y) * x[j]) < 0.01, $"E[∇ℓ]_{j} = {meanGrad[j]}, clean {(vx - y) * x[j]}");
    }

    [Fact]
    public void Gradient_noise_adds_variance_sigma_squared_to_the_signal()
    {
        var net = Net(1, [100, 200], "identity", bias: false);
        var g = net.Linears.First().Weight.Grad;
        g.Fill(0.5);
        new GradientNoise<double>(net, Streams(5), [0.2]).FormSignal(StepOf(net, new Tensor<double>(1, 1, 100)));
        var (mean, variance) = Moments(g.ReadOnlySpan.ToArray());
        Assert.InRange(mean, 0.5 - 4 * 0.2 / Math.Sqrt(20000), 0.5 + 4 * 0.2 / Math.Sqrt(20000));
        Assert.InRange(variance / 0.04, 0.96, 1.04);
    }

    [Fact]
    public void Input_noise_adds_variance_sigma_squared_to_the_batch()
    {
        var net = Net(2, [50, 3], "identity", bias: false);
        var x = new Tensor<double>(2, 400, 50);
        x.Fill(-1);
        new InputNoise<double>(2, Streams(5), [0.5, 0]).BeforeForward(StepOf(net, x));
        var (mean, variance) = Moments(x.SliceSpan(0).ToArray());
        Assert.InRange(mean, -1 - 4 * 0.5 / Math.Sqrt(20000), -1 + 4 * 0.5 / Math.Sqrt(20000));
        Assert.InRange(variance / 0.25, 0.96, 1.04);
        Assert.All(x.SliceSpan(1).ToArray(), v => Assert.Equal(-1.0, v));
    }

    [Fact]
    public void Coupled_L2_rule_equals_the_optimizers_weight_decay_and_shrinks_by_one_minus_eta_lambda()
    {
        var a = Net(2, [5, 7, 3], bias: false);
        var b = Net(2, [5, 7, 3], bias: false);
        var data = RandomData(2, 40, 5, 3);
        var ta = Trainer(a, data, 0.1, 8, weightDecay: 0.05);
        var tb = Trainer(b, data, 0.1, 8);
        tb.Use(new RuleStack<double>([new CoupledL2<double>(b, [0.05, 0.05])]));
        for (int s = 0; s < 10; s++) { ta.StepOnce(); tb.StepOnce(); }
        AssertSameParameters(a, b);

        // With a zero signal the update is pure decay: W ← (1 − ηλ)W.
        var c = Net(1, [5, 3], "identity", bias: false);
        var w0 = c.Linears.First().Weight.Value.Clone();
        var tc = Trainer(c, new TrainingData<double>(new Tensor<double>(1, 8, 5), new Tensor<double>(1, 8, 3), perMember: true), 0.1, 8);
        tc.Use(new RuleStack<double>([new CoupledL2<double>(c, [0.2])]));
        tc.StepOnce();
        var w1 = c.Linears.First().Weight.Value;
        for (int i = 0; i < w1.Length; i++) Assert.Equal(w0[i] * (1 - 0.1 * 0.2), w1[i], 15);
    }
}
