using Noether.Nn;
using Noether.Tensors;
using Xunit;

namespace Noether.Tests.Engine;

/// <summary>
/// The float64 tanh kernel: within 3 ulp of <see cref="Math.Tanh(double)"/> across the whole range, the special values
/// kept (signed zeros, ±∞, NaN), and the same bits from the 512-bit, 256-bit and scalar forms at every position of an
/// array (vector bodies and scalar tails), so neither the width nor the split changes a value.
/// </summary>
public class DoubleTanhTests
{
    private static long Ulps(double a, double b) => Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));

    /// <summary>Values from every regime: tiny (|x| down to subnormals), the polynomial's k = 0 and k = −1 ranges, large, saturated.</summary>
    private static double[] Values()
    {
        var rng = new Rng(5);
        var v = new List<double> { 0, -0.0, double.Epsilon, -double.Epsilon, 1e-310, 1e-300, 1e-17, 1e-8, 0.1733, 0.3466, 0.35, 0.5, 1, 2, 5, 18.7, 19.06, 19.999, 20, 20.001, 25, 700, 1e300, double.MaxValue };
        v.AddRange(v.ToArray().Select(x => -x));
        for (int i = 0; i < 200_000; i++)
        {
            double u = rng.NextDouble();
            v.Add((rng.NextDouble() < 0.5 ? -1 : 1) * (i % 4) switch { 0 => u, 1 => 4 * u, 2 => 25 * u, _ => Math.Pow(10, -20 * u) });
        }
        return v.ToArray();
    }

    [Fact]
    public void It_is_within_three_ulp_of_the_library_tanh_everywhere()
    {
        // A Taylor series stopped one term early (r¹² instead of r¹³) fails this (6 ulp at x ≈ −0.17).
        var x = Values();
        var y = new double[x.Length];
        DoubleTanh.Apply(x, y);
        long worst = 0;
        double at = 0;
        for (int i = 0; i < x.Length; i++)
        {
            long d = Ulps(Math.Tanh(x[i]), y[i]);
            if (d > worst) (worst, at) = (d, x[i]);
        }
        Assert.True(worst <= 3, $"{worst} ulp at x = {at:R}: {DoubleTanh.Of(at):R} against {Math.Tanh(at):R}");
    }

    [Fact]
    public void Special_values_keep_their_sign_and_nan_stays_nan()
    {
        double[] x = [0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 40, -40];
        var y = new double[x.Length];
        DoubleTanh.Apply(x, y);
        Assert.True(double.IsPositive(y[0]) && y[0] == 0);
        Assert.True(double.IsNegative(y[1]) && y[1] == 0);
        Assert.Equal([1.0, -1.0], y[2..4]);
        Assert.True(double.IsNaN(y[4]));
        Assert.Equal([1.0, -1.0], y[5..]);
    }

    [Theory, InlineData(1), InlineData(3), InlineData(4), InlineData(7), InlineData(8), InlineData(9), InlineData(13), InlineData(67)]
    public void Every_width_and_the_scalar_form_give_the_same_bits(int n)
    {
        var x = Values().AsSpan(1000, n).ToArray();
        var scalar = x.Select(DoubleTanh.Of).ToArray();
        foreach (var width in new[] { VectorWidth.Bits256, VectorWidth.Bits512 })
        {
            if (!ProcessVectorWidth.IsAccelerated(width)) continue;
            var y = new double[n];
            DoubleTanh.Apply(width, x, y);
            for (int i = 0; i < n; i++) Assert.True(Ulps(scalar[i], y[i]) == 0, $"{width}, element {i} of {n}: {y[i]:R} against the scalar {scalar[i]:R}");
        }
        // In place: the output may be the input.
        var inPlace = (double[])x.Clone();
        DoubleTanh.Apply(inPlace, inPlace);
        Assert.Equal(scalar, inPlace);
    }

    [Fact]
    public void The_float64_tanh_layer_uses_it_and_float32_keeps_the_library_tanh()
    {
        var x = new Tensor<double>(3, 5, 11);
        new Rng(2).FillNormal(x.Span, 0, 2);
        var y = new Tensor<double>(3, 5, 11);
        new Tanh<double>(3).Forward(x, y, Compute.Serial);
        Assert.Equal(x.ReadOnlySpan.ToArray().Select(DoubleTanh.Of).ToArray(), y.Span.ToArray());
        var xf = new float[37];
        new Rng(3).FillNormal<float>(xf, 0, 2);
        var yf = new float[37];
        new Tanh<float>(1).Apply(xf, yf);
        var expected = new float[37];
        System.Numerics.Tensors.TensorPrimitives.Tanh<float>(xf, expected);
        Assert.Equal(expected, yf);
    }
}
