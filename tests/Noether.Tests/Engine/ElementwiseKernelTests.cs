using Noether.Learning;
using Noether.Nn;
using Noether.Tensors;
using Xunit;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Noether.Tests.Engine;

/// <summary>
/// The vectorised elementwise kernels (row sums and adds for biases, fused activation derivatives, the
/// SGD update) against the plain loops they replaced: same values bit for bit, at lengths that cross
/// every vector boundary.
/// </summary>
public class ElementwiseKernelTests
{
    public static TheoryData<int, int> Shapes() => new() { { 1, 1 }, { 3, 1 }, { 5, 7 }, { 4, 8 }, { 9, 16 }, { 2, 17 }, { 33, 64 }, { 7, 67 }, { 5, 4 }, { 6, 6 }, { 37, 12 }, { 3, 14 }, { 5, 150 } };

    private static T[] Random<T>(int n, int seed) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var v = new T[n];
        new Rng(seed).FillNormal<T>(v, 0, 1);
        return v;
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Row_add_and_row_sum_equal_the_row_by_row_loops(int rows, int width)
    {
        Check<float>(rows, width);
        Check<double>(rows, width);

        static void Check<T>(int rows, int width) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var m = Random<T>(rows * width, 1);
            var v = Random<T>(width, 2);
            var expected = (T[])m.Clone();
            for (int i = 0; i < rows; i++) TensorPrimitives.Add(expected.AsSpan(i * width, width), v, expected.AsSpan(i * width, width));
            var actual = (T[])m.Clone();
            RowOps.AddToEveryRow<T>(actual, v);
            Assert.Equal(expected, actual);

            var sum = new T[width];
            for (int i = 0; i < rows; i++) TensorPrimitives.Add(sum, m.AsSpan(i * width, width), sum);
            var got = Random<T>(width, 3);
            RowOps.SumRows<T>(m, got);
            Assert.Equal(sum, got);
        }
    }

    [Theory, InlineData(300, 257, 2), InlineData(300, 257, 3), InlineData(128, 512, 2), InlineData(1030, 130, 2)]
    public void A_row_sum_split_into_column_blocks_equals_the_one_thread_sum(int rows, int width, int threads)
    {
        // At least 128 KB and 64 columns per thread: one block of columns per thread (blocks on multiples of 64, the
        // last one ending in the 128-bit and scalar columns when the width is not a multiple of 8), bit for bit
        // against one call. Fails when a block stops short of the next one or of the last column.
        Check<float>(); Check<double>();

        void Check<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var m = Random<T>(rows * width, 8);
            var expected = new T[width];
            RowOps.SumRows<T>(m, expected);
            var got = Random<T>(width, 9);
            RowOps.SumRows<T>(m, got, threads);
            Assert.Equal(expected, got);
        }
    }

    [Theory, InlineData(1), InlineData(7), InlineData(8), InlineData(9), InlineData(67)]
    public void Tanh_and_relu_derivatives_equal_the_multi_pass_forms(int n)
    {
        var x = Random<double>(n, 4);
        var y = new double[n];
        TensorPrimitives.Tanh(x, y);
        var dy = Random<double>(n, 5);
        var expected = new double[n];
        TensorPrimitives.Multiply(y, y, expected);
        TensorPrimitives.Subtract(1.0, expected, expected);
        TensorPrimitives.Multiply(expected, dy, expected);
        var dx = new double[n];
        new Tanh<double>(1).Derivative(x, y, dy, dx);
        Assert.Equal(expected, dx);

        var xf = Random<float>(n, 6);
        xf[0] = 0;
        var dyf = Random<float>(n, 7);
        var dxf = new float[n];
        new Relu<float>(1).Derivative(xf, xf, dyf, dxf);
        for (int i = 0; i < n; i++) Assert.Equal(xf[i] > 0 ? dyf[i] : 0f, dxf[i]);
    }

    [Theory, InlineData(1), InlineData(8), InlineData(13), InlineData(64)]
    public void Sgd_update_equals_the_scalar_form(int n)
    {
        var prm = new Parameter<float>("w", [2, n], ParameterRole.Weight, 1, 1);
        var theta = Random<float>(2 * n, 8);
        theta.CopyTo(prm.Value.Span);
        Random<float>(2 * n, 9).CopyTo(prm.Grad.Span);
        var opt = new Sgd<float>(2, 0.05, weightDecay: 1e-3);
        opt.Step([prm]);
        float lr = 0.05f, wd = 1e-3f;
        var g = prm.Grad.Span;
        for (int i = 0; i < 2 * n; i++) Assert.Equal(theta[i] - lr * (g[i] + wd * theta[i]), prm.Value.Span[i]);
    }

    [Theory, InlineData(1), InlineData(4), InlineData(8), InlineData(13), InlineData(67)]
    public void Scaled_sgd_step_equals_the_scalar_form_and_c_one_is_the_plain_step(int n)
    {
        // A plastic synapse's outer-product rule: θ − lr·(c·g + wd·θ), separate multiplies and adds, bit for bit; with
        // c = 1 it is the plain SGD step exactly (what makes Kolen–Pollack's B move with W).
        Check<float>(); Check<double>();

        void Check<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var g = Random<T>(n, 13);
            var theta = Random<T>(n, 14);
            T lr = T.CreateChecked(0.05), wd = T.CreateChecked(1e-2), c = T.CreateChecked(-0.3);
            var got = (T[])theta.Clone();
            RowOps.ScaledSgdStep<T>(g, got, lr, wd, c);
            for (int i = 0; i < n; i++) Assert.Equal(theta[i] - lr * (c * g[i] + wd * theta[i]), got[i]);
            var scaledOne = (T[])theta.Clone();
            RowOps.ScaledSgdStep<T>(g, scaledOne, lr, wd, T.One);
            var plain = (T[])theta.Clone();
            RowOps.SgdStep<T>(g, plain, lr, wd);
            Assert.Equal(plain, scaledOne);
        }
    }

    [Theory, InlineData(1), InlineData(4), InlineData(8), InlineData(13), InlineData(67)]
    public void Scaled_add_equals_the_scalar_form(int n)
    {
        // A coupled decay term added to a gradient (CoupledL2): g + λ·w, a multiply and an add, bit for bit.
        Check<float>(); Check<double>();

        void Check<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var g = Random<T>(n, 11);
            var w = Random<T>(n, 12);
            T a = T.CreateChecked(0.0123);
            var got = (T[])g.Clone();
            RowOps.AddScaled<T>(got, w, a);
            for (int i = 0; i < n; i++) Assert.Equal(g[i] + a * w[i], got[i]);
        }
    }

    [Theory, InlineData(2), InlineData(3)]
    public void Activations_split_over_members_equal_one_thread(int threads)
    {
        // 9 members × 32 × 61 floats: ranges of several members whose lengths are not vector multiples.
        var x = new Tensor<float>(9, 32, 61);
        new Rng(10).FillNormal(x.Span, 0, 2);
        var dy = new Tensor<float>(9, 32, 61);
        new Rng(11).FillNormal(dy.Span, 0, 1);
        foreach (Activation<float> layer in new Activation<float>[] { new Tanh<float>(9), new Sigmoid<float>(9), new Relu<float>(9) })
        {
            var (y1, dx1) = (new Tensor<float>(9, 32, 61), new Tensor<float>(9, 32, 61));
            var (y2, dx2) = (new Tensor<float>(9, 32, 61), new Tensor<float>(9, 32, 61));
            layer.Forward(x, y1, Compute.Serial);
            layer.Backward(x, y1, dy, dx1, Compute.Serial);
            layer.Forward(x, y2, new Compute(threads));
            layer.Backward(x, y2, dy, dx2, new Compute(threads));
            Assert.Equal(y1.Span.ToArray(), y2.Span.ToArray());
            Assert.Equal(dx1.Span.ToArray(), dx2.Span.ToArray());
        }
    }

    [Theory, InlineData(false), InlineData(true)]
    public void Adam_update_equals_the_scalar_form(bool decoupled)
    {
        const int n = 21;
        var prm = new Parameter<float>("w", [1, n], ParameterRole.Weight, 1, 1);
        var theta = Random<float>(n, 12);
        theta.CopyTo(prm.Value.Span);
        var opt = new Adam<float>(1, 1e-2, weightDecay: 1e-2, decoupled: decoupled);
        float[] m = new float[n], v = new float[n];
        for (int step = 1; step <= 3; step++)
        {
            var g = Random<float>(n, 20 + step);
            g.CopyTo(prm.Grad.Span);
            opt.Step([prm]);
            double c1 = 1 - Math.Pow(0.9, step), c2 = 1 - Math.Pow(0.999, step);
            float b1 = 0.9f, b2 = 0.999f, stepSize = (float)(1e-2 / c1), sc2 = (float)(1 / Math.Sqrt(c2)), eps = 1e-8f, wd = 1e-2f, decay = (float)(1e-2 * 1e-2);
            for (int i = 0; i < n; i++)
            {
                float gi = decoupled ? g[i] : g[i] + wd * theta[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                if (decoupled) theta[i] -= decay * theta[i];
                theta[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) * sc2 + eps);
            }
            Assert.Equal(theta, prm.Value.Span.ToArray());
        }
    }

    [Fact]
    public void Leaky_relu_equals_its_scalar_form()
    {
        var x = Random<double>(37, 13);
        x[3] = 0;
        var dy = Random<double>(37, 14);
        var layer = new LeakyRelu<double>(1, 0.1);
        var (y, dx) = (new double[37], new double[37]);
        layer.Apply(x, y);
        layer.Derivative(x, y, dy, dx);
        for (int i = 0; i < 37; i++)
        {
            Assert.Equal(x[i] > 0 ? x[i] : 0.1 * x[i], y[i]);
            Assert.Equal(x[i] > 0 ? dy[i] : 0.1 * dy[i], dx[i]);
        }
    }

    [Theory, InlineData(2), InlineData(3)]
    public void Optimizer_updates_split_over_threads_equal_one_thread(int threads)
    {
        foreach (var make in new Func<Optimizer<float>>[] { () => new Sgd<float>(3, 0.05, 1e-3, momentum: 0.9), () => new Adam<float>(3, 1e-3, 1e-2), () => new Sgd<float>(3, 0.05) })
        {
            Parameter<float>[] Params() =>
            [
                new("w", [3, 40_000 + 7], ParameterRole.Weight, 1, 1),
                new("b", [3, 13], ParameterRole.Bias, 1, 1),
            ];
            var (serial, parallel) = (Params(), Params());
            foreach (var set in new[] { serial, parallel })
                for (int i = 0; i < set.Length; i++) Random<float>(set[i].Value.Length, 30 + i).CopyTo(set[i].Value.Span);
            var (o1, o2) = (make(), make());
            o2.Threads = threads;
            for (int step = 0; step < 3; step++)
            {
                foreach (var set in new[] { serial, parallel })
                    for (int i = 0; i < set.Length; i++) Random<float>(set[i].Grad.Length, 40 + 10 * step + i).CopyTo(set[i].Grad.Span);
                o1.Step(serial);
                o2.Step(parallel);
            }
            for (int i = 0; i < serial.Length; i++) Assert.Equal(serial[i].Value.Span.ToArray(), parallel[i].Value.Span.ToArray());
        }
    }
}
