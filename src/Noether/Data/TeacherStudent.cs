using System.Numerics;
using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// Synthetic teacher–student regression (docs/experiments/hebbian.md#a-e1-setting): inputs x ~ N(0, I_d) and targets from a random
/// teacher, one independent teacher and sample set per population member, drawn from that member's stream.
/// Inputs and targets are [P, N, d] and [P, N, out].
/// </summary>
public static class TeacherStudent
{
    /// <summary>Teacher weights per member, row-major [out, in] (and the hidden layer for the tanh teacher).</summary>
    public sealed record TeacherSet<T>(Tensor<T> Inputs, Tensor<T> Targets, double[][] OutputWeights, double[][]? HiddenWeights)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>y = T₂ tanh(T₁ x) with T₁ ~ N(0, 1/d) [hidden × d] and T₂ ~ N(0, 1/hidden) [out × hidden].</summary>
    public static TeacherSet<T> Tanh<T>(int members, int samples, int inDim, int hidden, int outDim, Func<int, Rng> stream)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new Tensor<T>(members, samples, inDim);
        var y = new Tensor<T>(members, samples, outDim);
        var t1s = new double[members][];
        var t2s = new double[members][];
        var h = new double[hidden];
        for (int p = 0; p < members; p++)
        {
            var rng = stream(p);
            var t1 = t1s[p] = Normal(rng, hidden * inDim, 1 / Math.Sqrt(inDim));
            var t2 = t2s[p] = Normal(rng, outDim * hidden, 1 / Math.Sqrt(hidden));
            var xs = x.SliceSpan(p); var ys = y.SliceSpan(p);
            var xi = new double[inDim];
            for (int n = 0; n < samples; n++)
            {
                for (int j = 0; j < inDim; j++) { xi[j] = rng.Normal(); xs[n * inDim + j] = T.CreateChecked(xi[j]); }
                for (int k = 0; k < hidden; k++) h[k] = Math.Tanh(Dot(t1.AsSpan(k * inDim, inDim), xi));
                for (int o = 0; o < outDim; o++) ys[n * outDim + o] = T.CreateChecked(Dot(t2.AsSpan(o * hidden, hidden), h));
            }
        }
        return new TeacherSet<T>(x, y, t2s, t1s);
    }

    /// <summary>y = W* x + noise·ξ with W* ~ N(0, 1/d) [out × d] (docs/experiments/hebbian.md#a-e2-setting).</summary>
    public static TeacherSet<T> Linear<T>(int members, int samples, int inDim, int outDim, double noise, Func<int, Rng> stream)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new Tensor<T>(members, samples, inDim);
        var y = new Tensor<T>(members, samples, outDim);
        var ws = new double[members][];
        for (int p = 0; p < members; p++)
        {
            var rng = stream(p);
            var w = ws[p] = Normal(rng, outDim * inDim, 1 / Math.Sqrt(inDim));
            var xs = x.SliceSpan(p); var ys = y.SliceSpan(p);
            var xi = new double[inDim];
            for (int n = 0; n < samples; n++)
            {
                for (int j = 0; j < inDim; j++) { xi[j] = rng.Normal(); xs[n * inDim + j] = T.CreateChecked(xi[j]); }
                for (int o = 0; o < outDim; o++) ys[n * outDim + o] = T.CreateChecked(Dot(w.AsSpan(o * inDim, inDim), xi) + noise * rng.Normal());
            }
        }
        return new TeacherSet<T>(x, y, ws, null);
    }

    private static double[] Normal(Rng rng, int count, double std)
    {
        var v = new double[count];
        for (int i = 0; i < count; i++) v[i] = std * rng.Normal();
        return v;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
