using Noether.Learning;
using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Tests.Learning;

/// <summary>Small float64 networks, data and trainers for the learning-rule tests.</summary>
public static class RuleFixture
{
    public static Rng Stream(long seed, int member, string name) => new Rng(seed + member).Child(name);

    public static MemberStreams Streams(long seed) => (m, name) => Stream(seed, m, name);

    /// <summary>An MLP with LeCun-initialised weights and zero biases, member p from seed + p.</summary>
    public static Sequential<double> Net(int members, int[] widths, string activation = "tanh", bool bias = true, long seed = 1)
    {
        var net = Mlp.Build<double>(members, widths, activation, bias);
        net.Initialize(InitScheme.LeCun, Enumerable.Range(0, members).Select(m => Stream(seed, m, "init")).ToArray());
        return net;
    }

    /// <summary>Random regression data x ~ N(0, I), y ~ N(0, I), one set per member.</summary>
    public static TrainingData<double> RandomData(int members, int n, int dIn, int dOut, long seed = 7)
    {
        var x = new Tensor<double>(members, n, dIn);
        var y = new Tensor<double>(members, n, dOut);
        for (int m = 0; m < members; m++)
        {
            var rng = Stream(seed, m, "data");
            rng.FillNormal(x.SliceSpan(m), 0, 1);
            rng.FillNormal(y.SliceSpan(m), 0, 1);
        }
        return new TrainingData<double>(x, y, perMember: true);
    }

    public static Trainer<double> Trainer(Sequential<double> net, TrainingData<double> data, double lr, int batch, long seed = 3, double weightDecay = 0) =>
        new(net, new MseLoss<double>(half: true), new Sgd<double>(net.Members, lr, weightDecay), data, batch,
            Enumerable.Range(0, net.Members).Select(m => Stream(seed, m, "batches")).ToArray());

    public static void AssertSameParameters(Sequential<double> a, Sequential<double> b, double tolerance = 0)
    {
        for (int i = 0; i < a.Parameters.Count; i++)
        {
            var x = a.Parameters[i].Value.ReadOnlySpan;
            var y = b.Parameters[i].Value.ReadOnlySpan;
            for (int k = 0; k < x.Length; k++)
                Assert.True(Math.Abs(x[k] - y[k]) <= tolerance, $"{a.Parameters[i].Name}[{k}]: {x[k]} vs {y[k]}");
        }
    }

    public static double MaxAbsDifference(Sequential<double> a, Sequential<double> b)
    {
        double worst = 0;
        for (int i = 0; i < a.Parameters.Count; i++)
        {
            var x = a.Parameters[i].Value.ReadOnlySpan;
            var y = b.Parameters[i].Value.ReadOnlySpan;
            for (int k = 0; k < x.Length; k++) worst = Math.Max(worst, Math.Abs(x[k] - y[k]));
        }
        return worst;
    }

    /// <summary>‖W − F‖_F for member p, with F stored in W's shape (F = Bᵀ).</summary>
    public static double Asymmetry(Linear<double> layer, int member, double scale = 1)
    {
        var w = layer.Weight.Value.SliceSpan(member);
        var f = layer.Feedback!.SliceSpan(member);
        double s = 0;
        for (int i = 0; i < w.Length; i++) s += (f[i] - scale * w[i]) * (f[i] - scale * w[i]);
        return Math.Sqrt(s);
    }

    /// <summary>B as a [in, out] double tensor (the probes' convention) from the feedback stored in W's shape.</summary>
    public static Tensor<double> FeedbackAsB(Linear<double> layer, int member)
    {
        var f = layer.Feedback!.Slice(member);
        var b = new Tensor<double>(layer.In, layer.Out);
        for (int o = 0; o < layer.Out; o++)
            for (int i = 0; i < layer.In; i++) b[i, o] = f[o, i];
        return b;
    }
}
