using Noether.Learning;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Tests.Engine;

/// <summary>
/// docs/experiments/noise-equilibrium.md#charge-identity (H-c / D-c): one SGD step with L2 γ‖θ‖² (θ' = θ − η(g + 2γθ)) maps the
/// rescaling charge C = ‖W‖² − ‖U‖² of a two-layer linear net exactly to (1−2ηγ)²C + η²(‖G_W‖² − ‖G_U‖²),
/// and the matrix form WWᵀ − UᵀU the same way with G_W G_Wᵀ − G_Uᵀ G_U.
/// </summary>
public class ChargeIdentityTests
{
    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(0.0, 2)]
    [InlineData(0.01, 3)]
    [InlineData(0.1, 4)]
    public void One_step_charge_identity_holds_to_1e12(double gamma, int seed)
    {
        var rng = new Rng(seed);
        int d = 5, h = 7, o = 3, b = 9;
        double eta = 0.05;
        var net = Mlp.Build<double>(1, [d, h, o], "identity", bias: false);
        var (w, u) = (net.Linears.First().Weight, net.Linears.Last().Weight);
        rng.FillNormal(w.Value.Span, 0, 0.8); rng.FillNormal(u.Value.Span, 0, 0.3);
        var x = new Tensor<double>(1, b, d); rng.FillNormal(x.Span, 0, 1);
        var y = new Tensor<double>(1, b, o); rng.FillNormal(y.Span, 0, 1);
        var loss = new MseLoss<double>();
        var output = net.Forward(x);
        var grad = net.OutputGradientBuffer(b);
        loss.Evaluate(output, y, new double[1], grad);
        net.Backward(grad);

        var W = Matrix(w.Value, h, d); var U = Matrix(u.Value, o, h);
        var GW = Matrix(w.Grad, h, d); var GU = Matrix(u.Grad, o, h);
        double c0 = Sq(W) - Sq(U);
        var q0 = Sub(Mul(W, T(W)), Mul(T(U), U));
        var noise = Sub(Mul(GW, T(GW)), Mul(T(GU), GU));

        new Sgd<double>(1, eta, weightDecay: 2 * gamma).Step(net.Parameters);
        var W1 = Matrix(w.Value, h, d); var U1 = Matrix(u.Value, o, h);
        double c1 = Sq(W1) - Sq(U1);
        double f = (1 - 2 * eta * gamma) * (1 - 2 * eta * gamma);
        double predicted = f * c0 + eta * eta * (Sq(GW) - Sq(GU));
        Assert.True(Math.Abs(c1 - predicted) <= 1e-12 * Math.Max(1, Math.Abs(c1)), $"scalar charge {c1} vs {predicted}");

        var q1 = Sub(Mul(W1, T(W1)), Mul(T(U1), U1));
        double err = 0, scale = 0;
        for (int i = 0; i < h; i++)
            for (int j = 0; j < h; j++)
            {
                double pred = f * q0[i, j] + eta * eta * noise[i, j];
                err = Math.Max(err, Math.Abs(q1[i, j] - pred));
                scale = Math.Max(scale, Math.Abs(q1[i, j]));
            }
        Assert.True(err <= 1e-12 * Math.Max(1, scale), $"matrix identity error {err}");
    }

    [Fact]
    public void Identity_fails_when_the_decay_is_not_applied_to_both_layers()
    {
        // The identity is exact only on the whole orbit: decaying one layer alone breaks it (guards against a vacuous test).
        var rng = new Rng(9);
        var net = Mlp.Build<double>(1, [4, 6, 2], "identity", bias: false);
        foreach (var p in net.Parameters) rng.FillNormal(p.Value.Span, 0, 1);
        var x = new Tensor<double>(1, 5, 4); rng.FillNormal(x.Span, 0, 1);
        var y = new Tensor<double>(1, 5, 2); rng.FillNormal(y.Span, 0, 1);
        var output = net.Forward(x);
        var grad = net.OutputGradientBuffer(5);
        new MseLoss<double>().Evaluate(output, y, new double[1], grad);
        net.Backward(grad);
        var (w, u) = (net.Linears.First().Weight, net.Linears.Last().Weight);
        double eta = 0.05, gamma = 0.1;
        double c0 = Sq(Matrix(w.Value, 6, 4)) - Sq(Matrix(u.Value, 2, 6));
        double noise = Sq(Matrix(w.Grad, 6, 4)) - Sq(Matrix(u.Grad, 2, 6));
        new Sgd<double>(1, eta, 2 * gamma).Step([w]);
        new Sgd<double>(1, eta, 0).Step([u]);
        double c1 = Sq(Matrix(w.Value, 6, 4)) - Sq(Matrix(u.Value, 2, 6));
        double predicted = (1 - 2 * eta * gamma) * (1 - 2 * eta * gamma) * c0 + eta * eta * noise;
        Assert.True(Math.Abs(c1 - predicted) > 1e-6);
    }

    private static double[,] Matrix(Tensor<double> t, int r, int c)
    {
        var m = new double[r, c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) m[i, j] = t[i * c + j];
        return m;
    }

    private static double Sq(double[,] a) { double s = 0; foreach (var v in a) s += v * v; return s; }

    private static double[,] T(double[,] a)
    {
        var t = new double[a.GetLength(1), a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < a.GetLength(1); j++) t[j, i] = a[i, j];
        return t;
    }

    private static double[,] Mul(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        var c = new double[n, m];
        for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) { double s = 0; for (int p = 0; p < k; p++) s += a[i, p] * b[p, j]; c[i, j] = s; }
        return c;
    }

    private static double[,] Sub(double[,] a, double[,] b)
    {
        var c = new double[a.GetLength(0), a.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < a.GetLength(1); j++) c[i, j] = a[i, j] - b[i, j];
        return c;
    }
}
