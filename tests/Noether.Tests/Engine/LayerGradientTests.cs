using Noether.Nn;
using Noether.Tensors;

namespace Noether.Tests.Engine;

public class LayerGradientTests
{
    private const double Tolerance = 1e-6;

    public static IEnumerable<object[]> Seeds => Enumerable.Range(1, 6).Select(s => new object[] { s });

    private static (int P, int B) Sizes(Rng rng) => (1 + rng.NextInt(3), 1 + rng.NextInt(5));

    private static void Init(Layer<double> layer, Rng rng)
    {
        foreach (var p in layer.Parameters) rng.FillNormal(p.Value.Span, 0, 0.7);
    }

    [Theory, MemberData(nameof(Seeds))]
    public void Linear_with_and_without_bias(int seed)
    {
        var rng = new Rng(seed);
        foreach (bool bias in new[] { true, false })
        {
            var (p, b) = Sizes(rng);
            int i = 1 + rng.NextInt(7), o = 1 + rng.NextInt(7);
            var layer = new Linear<double>(p, i, o, bias);
            Init(layer, rng);
            Assert.True(GradientCheck.Layer(layer, GradientCheck.AwayFromZero([p, b, i], rng), rng) <= Tolerance);
        }
    }

    [Theory, MemberData(nameof(Seeds))]
    public void Linear_with_feedback_matrix_routes_error_through_it(int seed)
    {
        var rng = new Rng(seed);
        var layer = new Linear<double>(2, 4, 3);
        Init(layer, rng);
        var feedback = new Tensor<double>(2, 3, 4);
        rng.FillNormal(feedback.Span, 0, 1);
        layer.Feedback = feedback;
        var x = GradientCheck.AwayFromZero([2, 5, 4], rng);
        var y = new Tensor<double>(2, 5, 3);
        var dy = new Tensor<double>(2, 5, 3);
        rng.FillNormal(dy.Span, 0, 1);
        layer.Forward(x, y, Compute.Serial);
        var dx = new Tensor<double>(2, 5, 4);
        layer.Backward(x, y, dy, dx, Compute.Serial);
        for (int m = 0; m < 2; m++)
            for (int n = 0; n < 5; n++)
                for (int j = 0; j < 4; j++)
                {
                    double expected = 0;
                    for (int k = 0; k < 3; k++) expected += dy[m, n, k] * feedback.Slice(m)[k, j];
                    Assert.Equal(expected, dx.Slice(m)[n, j], 12);
                }
    }

    [Theory, MemberData(nameof(Seeds))]
    public void Scale_invariant_linear(int seed)
    {
        var rng = new Rng(seed);
        var (p, b) = Sizes(rng);
        var layer = new ScaleInvariantLinear<double>(p, 1 + rng.NextInt(6), 1 + rng.NextInt(3));
        Init(layer, rng);
        Assert.True(GradientCheck.Layer(layer, GradientCheck.AwayFromZero([p, b, layer.In], rng), rng) <= Tolerance);
    }

    [Theory, MemberData(nameof(Seeds))]
    public void Activations(int seed)
    {
        var rng = new Rng(seed);
        var (p, b) = Sizes(rng);
        int f = 1 + rng.NextInt(9);
        Layer<double>[] layers = [new Tanh<double>(p), new Relu<double>(p), new LeakyRelu<double>(p, 0.1), new Sigmoid<double>(p), new Identity<double>(p), new PRelu<double>(p, f, 0.3)];
        foreach (var layer in layers)
        {
            var err = GradientCheck.Layer(layer, GradientCheck.AwayFromZero([p, b, f], rng), rng);
            Assert.True(err <= Tolerance, $"{layer.Name}: relative error {err}");
        }
    }

    [Theory, MemberData(nameof(Seeds))]
    public void PRelu_on_channels_of_an_image(int seed)
    {
        var rng = new Rng(seed);
        var layer = new PRelu<double>(2, 3, 0.2);
        Init(layer, rng);
        Assert.True(GradientCheck.Layer(layer, GradientCheck.AwayFromZero([2, 2, 3, 2, 3], rng), rng) <= Tolerance);
    }

    [Theory, MemberData(nameof(Seeds))]
    public void Conv2d_kernel_stride_padding(int seed)
    {
        var rng = new Rng(seed);
        int k = 1 + rng.NextInt(3), s = 1 + rng.NextInt(2), pad = rng.NextInt(2);
        int h = k + rng.NextInt(4), w = k + rng.NextInt(4);
        var layer = new Conv2d<double>(1 + rng.NextInt(2), 1 + rng.NextInt(3), 1 + rng.NextInt(3), k, s, pad, bias: rng.NextInt(2) == 0);
        Init(layer, rng);
        var x = GradientCheck.AwayFromZero([layer.Members, 2, layer.Cin, h, w], rng);
        double err = GradientCheck.Layer(layer, x, rng);
        Assert.True(err <= Tolerance, $"k={k} s={s} p={pad} {h}x{w}: {err}");
    }

    [Theory, MemberData(nameof(Seeds))]
    public void ConvTranspose2d_kernel_stride_padding(int seed)
    {
        var rng = new Rng(seed);
        int k = 1 + rng.NextInt(4), s = 1 + rng.NextInt(3), pad = rng.NextInt(Math.Min(2, k));
        var layer = new ConvTranspose2d<double>(1 + rng.NextInt(2), 1 + rng.NextInt(3), 1 + rng.NextInt(3), k, s, pad, bias: rng.NextInt(2) == 0);
        Init(layer, rng);
        var x = GradientCheck.AwayFromZero([layer.Members, 2, layer.Cin, 2 + rng.NextInt(3), 2 + rng.NextInt(3)], rng);
        double err = GradientCheck.Layer(layer, x, rng);
        Assert.True(err <= Tolerance, $"k={k} s={s} p={pad}: {err}");
    }

    [Fact]
    public void ConvTranspose2d_is_the_adjoint_of_Conv2d()
    {
        // <Conv(x), y> = <x, ConvT(y)> when both share the weight tensor (PyTorch layouts coincide).
        var rng = new Rng(3);
        var conv = new Conv2d<double>(1, 2, 3, 3, stride: 2, padding: 1, bias: false);
        var convT = new ConvTranspose2d<double>(1, 3, 2, 3, stride: 2, padding: 1, bias: false);
        rng.FillNormal(conv.Weight.Value.Span, 0, 1);
        conv.Weight.Value.Span.CopyTo(convT.Weight.Value.Span);
        var x = new Tensor<double>(1, 1, 2, 7, 7); rng.FillNormal(x.Span, 0, 1);
        var cx = new Tensor<double>([1, 1, .. conv.OutputShape([2, 7, 7])]);
        conv.Forward(x, cx, Compute.Serial);
        var y = new Tensor<double>(cx.Shape); rng.FillNormal(y.Span, 0, 1);
        var ty = new Tensor<double>([1, 1, .. convT.OutputShape(cx.Shape[2..])]);
        convT.Forward(y, ty, Compute.Serial);
        Assert.Equal(x.Shape, ty.Shape);
        double a = 0, b = 0;
        for (int i = 0; i < cx.Length; i++) a += cx[i] * y[i];
        for (int i = 0; i < x.Length; i++) b += x[i] * ty[i];
        Assert.Equal(a, b, 10);
    }

    [Fact]
    public void Reshape_and_flatten_pass_values_and_errors_unchanged()
    {
        var rng = new Rng(1);
        var flat = Reshape<double>.Flatten(2, [2, 3, 2]);
        Assert.Equal([12], flat.OutputShape([2, 3, 2]));
        Assert.True(GradientCheck.Layer(flat, GradientCheck.AwayFromZero([2, 3, 2, 3, 2], rng), rng) <= Tolerance);
        Assert.Throws<ShapeMismatchException>(() => new Reshape<double>(1, [5]).OutputShape([2, 3]));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Mse_loss_gradient(bool half, bool meanOverOutputs)
    {
        var rng = new Rng(11);
        var loss = new MseLoss<double>(half, meanOverOutputs);
        CheckLoss(loss, rng, onehot: false);
    }

    [Fact]
    public void Softmax_cross_entropy_gradient_and_value()
    {
        var rng = new Rng(12);
        CheckLoss(new SoftmaxCrossEntropyLoss<double>(), rng, onehot: true);
        // Uniform logits over C classes cost ln C.
        var z = new Tensor<double>(1, 2, 4);
        var t = new Tensor<double>(1, 2, 4); t[0, 0, 1] = 1; t[0, 1, 3] = 1;
        var l = new double[1];
        new SoftmaxCrossEntropyLoss<double>().Evaluate(z, t, l, null);
        Assert.Equal(Math.Log(4), l[0], 12);
    }

    [Fact]
    public void Mse_half_convention_value()
    {
        var pred = Tensor<double>.FromDoubles([1, 2, 3, 4], 1, 2, 2);
        var target = Tensor<double>.FromDoubles([0, 0, 0, 0], 1, 2, 2);
        var l = new double[1];
        new MseLoss<double>(half: true).Evaluate(pred, target, l, null);
        Assert.Equal((1 + 4 + 9 + 16) / 2.0 / 2.0, l[0], 12);
        new MseLoss<double>(half: false, meanOverOutputs: true).Evaluate(pred, target, l, null);
        Assert.Equal(30 / 4.0, l[0], 12);
    }

    private static void CheckLoss(Loss<double> loss, Rng rng, bool onehot)
    {
        int p = 2, b = 3, c = 4;
        var pred = new Tensor<double>(p, b, c); rng.FillNormal(pred.Span, 0, 1);
        var target = new Tensor<double>(p, b, c);
        if (onehot) for (int m = 0; m < p; m++) for (int i = 0; i < b; i++) target[m, i, rng.NextInt(c)] = 1;
        else rng.FillNormal(target.Span, 0, 1);
        var grad = new Tensor<double>(p, b, c);
        var buf = new double[p];
        loss.Evaluate(pred, target, buf, grad);
        var numeric = GradientCheck.Numeric(pred, () => { loss.Evaluate(pred, target, buf, null); return buf.Sum(); });
        Assert.True(GradientCheck.RelativeError(grad.Span, numeric) <= Tolerance);
    }

    [Theory, MemberData(nameof(Seeds))]
    public void Whole_three_layer_mlp(int seed)
    {
        var rng = new Rng(seed);
        string[] acts = ["tanh", "relu", "sigmoid", "leaky_relu", "prelu"];
        var net = Mlp.Build<double>(2, [5, 7, 6, 3], acts[seed % acts.Length], bias: true);
        foreach (var p in net.Parameters.Where(p => p.Role == ParameterRole.Weight)) rng.FillNormal(p.Value.Span, 0, 0.6);
        foreach (var p in net.Parameters.Where(p => p.Role == ParameterRole.Bias)) rng.FillNormal(p.Value.Span, 0, 0.1);
        var x = GradientCheck.AwayFromZero([2, 4, 5], rng);
        var t = new Tensor<double>(2, 4, 3); rng.FillNormal(t.Span, 0, 1);
        double err = GradientCheck.Network(net, new MseLoss<double>(), x, t);
        Assert.True(err <= Tolerance, $"relative error {err}");
    }

    [Fact]
    public void Small_conv_transpose_decoder()
    {
        var rng = new Rng(5);
        var net = new Sequential<double>(1, [4],
        [
            new Linear<double>(1, 4, 2 * 3 * 3),
            new Tanh<double>(1),
            new Reshape<double>(1, [2, 3, 3]),
            new ConvTranspose2d<double>(1, 2, 3, 3, stride: 2, padding: 1),
            new Relu<double>(1),
            new ConvTranspose2d<double>(1, 3, 1, 2, stride: 1, padding: 0),
            Reshape<double>.Flatten(1, [1, 6, 6]),
        ]);
        foreach (var p in net.Parameters) rng.FillNormal(p.Value.Span, 0, 0.5);
        var x = GradientCheck.AwayFromZero([1, 3, 4], rng);
        var t = new Tensor<double>(1, 3, 36); rng.FillNormal(t.Span, 0, 1);
        double err = GradientCheck.Network(net, new MseLoss<double>(), x, t);
        Assert.True(err <= Tolerance, $"relative error {err}");
    }
}
