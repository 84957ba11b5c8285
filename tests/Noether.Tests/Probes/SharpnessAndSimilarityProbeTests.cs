using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;

namespace Noether.Tests.Probes;

/// <summary>Known values of the sharpness and member-similarity probes (docs/probes.md#attachable-probes).</summary>
public class SharpnessAndSimilarityProbeTests
{
    /// <summary>A P-member linear net d-h-o (no bias) after one forward/backward on per-member batches, with the MSE(½) targets.</summary>
    private static (Sequential<double> Net, Tensor<double> X, Tensor<double> Y, Loss<double> Loss) Traced(int members, int d, int h, int o, int n = 12)
    {
        var net = Mlp.Build<double>(members, [d, h, o], "identity", bias: false);
        net.Initialize(InitScheme.LeCun, Enumerable.Range(0, members).Select(m => new Rng(10 + m)).ToArray());
        var x = new Tensor<double>(members, n, d);
        new Rng(3).FillNormal(x.Span, 0, 1);
        var y = new Tensor<double>(members, n, o);
        new Rng(4).FillNormal(y.Span, 0, 1);
        var loss = new MseLoss<double>(half: true);
        var pred = net.Forward(x);
        var dy = net.OutputGradientBuffer(n);
        loss.Evaluate(pred, y, new double[members], dy);
        net.Backward(dy);
        return (net, x, y, loss);
    }

    private static Dictionary<(int, string), double> Sharp(Sequential<double> net, int member, Loss<double> loss, Tensor<double> y, long step = 0)
    {
        var values = new Dictionary<(int, string), double>();
        ProbeRegistry.Find("sharpness")!.Measure(ProbeView.Of(net, member, step, loss, y), (l, name, v) => values[(l, name)] = v);
        return values;
    }

    /// <summary>Tr H of a two-layer linear net under MSE(½) in closed form (Sharpness.TwoLayerLinearTrace) on member m's batch.</summary>
    private static double ClosedForm(Sequential<double> net, Tensor<double> x, int member)
    {
        var xm = MemberSlice.ToDouble(x, member);
        int n = xm.Shape[0], d = xm.Shape[1];
        var moment = new Tensor<double>(d, d);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int r = 0; r < n; r++) s += xm[r, i] * xm[r, j];
                moment[i, j] = s / n;
            }
        var lin = net.Linears.ToArray();
        return Sharpness.TwoLayerLinearTrace(MemberSlice.ToDouble(lin[0].Weight.Value, member), MemberSlice.ToDouble(lin[1].Weight.Value, member), moment);
    }

    [Fact]
    public void Sharpness_is_the_exact_Hessian_trace_of_a_small_two_layer_linear_net()
    {
        var (net, x, y, loss) = Traced(2, 3, 4, 2); // 20 parameters: the exact path
        var weights = net.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
        var grads = net.Parameters.Select(p => p.Grad.Span.ToArray()).ToArray();
        var trace = net.Trace[0].Input.Span.ToArray();
        var s = Sharp(net, 1, loss, y);
        Assert.Equal(ClosedForm(net, x, 1), s[(0, "sharpness")], 6);
        Assert.Equal(0.0, s[(0, "sharpness_se")]);
        // Observed, not perturbed: the population's weights, gradients and trace are as they were.
        Assert.Equal(weights, net.Parameters.Select(p => p.Value.Span.ToArray()).ToArray());
        Assert.Equal(grads, net.Parameters.Select(p => p.Grad.Span.ToArray()).ToArray());
        Assert.Equal(trace, net.Trace[0].Input.Span.ToArray());
    }

    [Fact]
    public void Sharpness_of_a_larger_net_is_a_seeded_Hutchinson_estimate_within_its_standard_error()
    {
        var (net, x, y, loss) = Traced(1, 6, 8, 3); // 72 parameters: Hutchinson
        var s = Sharp(net, 0, loss, y, step: 7);
        double exact = ClosedForm(net, x, 0);
        Assert.True(s[(0, "sharpness_se")] > 0);
        Assert.True(Math.Abs(s[(0, "sharpness")] - exact) <= 4 * s[(0, "sharpness_se")], $"estimate {s[(0, "sharpness")]} ± {s[(0, "sharpness_se")]}, exact {exact}");
        Assert.Equal(s[(0, "sharpness")], Sharp(net, 0, loss, y, step: 7)[(0, "sharpness")]); // same step and member, same vectors
        Assert.Empty(Sharp(net, 0, null!, y)); // no loss: nothing to differentiate
    }

    private static Dictionary<(int, int, string), double> Similarity(Sequential<double> net)
    {
        var values = new Dictionary<(int, int, string), double>();
        var views = Enumerable.Range(0, net.Members).Select(m => ProbeView.Of(net, m, 0)).ToArray();
        ProbeRegistry.Find("member-similarity")!.MeasureMembers(views, (m, l, name, v) => values[(m, l, name)] = v);
        return values;
    }

    [Fact]
    public void Member_similarity_is_one_between_rotated_copies_and_the_mean_pairwise_CKA_otherwise()
    {
        var (net, x, _, _) = Traced(3, 4, 5, 3);
        var lin = net.Linears.ToArray();
        // Member 1's hidden layer is an orthogonal map (a permutation with a sign flip) of member 0's: CKA and mutual k-NN are 1 there.
        var w = lin[0].Weight.Value;
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 4; j++)
                w[1, i, j] = (i == 0 ? -1 : 1) * w[0, (i + 2) % 5, j];
        var v = Similarity(net);
        var x0 = MemberSlice.ToDouble(x, 0); // every member runs on member 0's batch
        Tensor<double> Hidden(int m) => Times(x0, MemberSlice.ToDouble(w, m));
        double c01 = Cka.LinearCka(Hidden(0), Hidden(1)), c02 = Cka.LinearCka(Hidden(0), Hidden(2)), c12 = Cka.LinearCka(Hidden(1), Hidden(2));
        Assert.Equal(1.0, c01, 10);
        Assert.Equal((c01 + c02) / 2, v[(0, 1, "member_cka")], 10);
        Assert.Equal((c01 + c12) / 2, v[(1, 1, "member_cka")], 10);
        Assert.Equal((c02 + c12) / 2, v[(2, 1, "member_cka")], 10);
        Assert.True(c02 < 0.999);
        int k = Noether.Probes.Training.MemberSimilarityProbe.K;
        double m02 = MutualKnn.MutualKnnAlignment(Hidden(0), Hidden(2), k), m12 = MutualKnn.MutualKnnAlignment(Hidden(1), Hidden(2), k);
        Assert.Equal((1.0 + m02) / 2, v[(0, 1, "member_mknn")], 10);
        Assert.Equal((1.0 + m12) / 2, v[(1, 1, "member_mknn")], 10);
        Assert.True(v.ContainsKey((2, 2, "member_cka")));
        // One member alone logs nothing.
        var (single, _, _, _) = Traced(1, 4, 5, 3);
        Assert.Empty(Similarity(single));
    }

    /// <summary>X Wᵀ for X [N, in], W [out, in].</summary>
    private static Tensor<double> Times(Tensor<double> x, Tensor<double> w)
    {
        int n = x.Shape[0], din = x.Shape[1], dout = w.Shape[0];
        var r = new Tensor<double>(n, dout);
        for (int i = 0; i < n; i++)
            for (int o = 0; o < dout; o++)
            {
                double s = 0;
                for (int j = 0; j < din; j++) s += x[i, j] * w[o, j];
                r[i, o] = s;
            }
        return r;
    }
}
