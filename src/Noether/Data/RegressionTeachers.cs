using System.Numerics;
using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// Synthetic regression teachers of the symmetry and noise experiments (docs/experiments/noise-equilibrium.md,
/// docs/experiments/entropic-balance.md): a random teacher and its samples per population member, all drawn from
/// that member's stream in a fixed order (each method says which; changing it changes every run that uses it).
/// Inputs and targets are [P, N, d] and [P, N, out]; targets are computed from the inputs as stored in T, so the
/// teacher is exact for the data the student sees. <see cref="TeacherStudent"/> holds the Hebbian papers' teachers.
/// </summary>
public static class RegressionTeachers
{
    /// <summary>
    /// y = Mx + σε with M ~ N(0, 1/d) [out × d], x ~ N(0, I_d), ε ~ N(0, I) (docs/experiments/noise-equilibrium.md#h-a-setting-balance).
    /// Draws M, then per sample x and, per output, ε.
    /// </summary>
    public static (Tensor<T> Inputs, Tensor<T> Targets) NoisyLinear<T>(int members, int samples, int inDim, int outDim, double labelNoise,
        Func<int, Rng> stream) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new Tensor<T>(members, samples, inDim);
        var y = new Tensor<T>(members, samples, outDim);
        for (int p = 0; p < members; p++)
        {
            var rng = stream(p);
            var m = new double[outDim * inDim];
            for (int i = 0; i < m.Length; i++) m[i] = rng.Normal() / Math.Sqrt(inDim);
            var xs = x.SliceSpan(p); var ys = y.SliceSpan(p);
            for (int n = 0; n < samples; n++)
            {
                for (int j = 0; j < inDim; j++) xs[n * inDim + j] = T.CreateChecked(rng.Normal());
                for (int o = 0; o < outDim; o++)
                {
                    double s = 0;
                    for (int j = 0; j < inDim; j++) s += m[o * inDim + j] * double.CreateChecked(xs[n * inDim + j]);
                    ys[n * outDim + o] = T.CreateChecked(s + labelNoise * rng.Normal());
                }
            }
        }
        return (x, y);
    }

    /// <summary>
    /// A scalar target along a random unit direction: y = âᵀx + σε with â = a/‖a‖, a ~ N(0, I_d), x ~ N(0, I_d)
    /// (docs/experiments/noise-equilibrium.md#h-b-setting-scale-invariance). Draws a, then per sample x and ε.
    /// </summary>
    public static (Tensor<T> Inputs, Tensor<T> Targets) UnitDirection<T>(int members, int samples, int inDim, double labelNoise,
        Func<int, Rng> stream) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new Tensor<T>(members, samples, inDim);
        var y = new Tensor<T>(members, samples, 1);
        for (int m = 0; m < members; m++)
        {
            var rng = stream(m);
            var a = new double[inDim];
            for (int j = 0; j < a.Length; j++) a[j] = rng.Normal();
            double an = Math.Sqrt(a.Sum(v => v * v));
            var xs = x.SliceSpan(m); var ys = y.SliceSpan(m);
            for (int n = 0; n < samples; n++)
            {
                double s = 0;
                for (int j = 0; j < inDim; j++) { xs[n * inDim + j] = T.CreateChecked(rng.Normal()); s += a[j] / an * double.CreateChecked(xs[n * inDim + j]); }
                ys[n] = T.CreateChecked(s + labelNoise * rng.Normal());
            }
        }
        return (x, y);
    }

    /// <summary>
    /// A rank-1 teacher y = a bᵀx + σε with a ~ N(0, I_out), b ~ N(0, I_d/d), x ~ N(0, I_d)
    /// (docs/experiments/noise-equilibrium.md#h-d-setting-warmup); also Σ̂_x = XᵀX/N (d×d) per member, which
    /// closed-form Hessians of linear nets need. Draws a, b, then per sample x and, per output, ε.
    /// </summary>
    public static (Tensor<T> Inputs, Tensor<T> Targets, Tensor<double>[] SecondMoments) RankOne<T>(int members, int samples, int inDim, int outDim,
        double labelNoise, Func<int, Rng> stream) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = samples, d = inDim, o = outDim;
        var x = new Tensor<T>(members, n, d);
        var y = new Tensor<T>(members, n, o);
        var moments = new Tensor<double>[members];
        for (int s = 0; s < members; s++)
        {
            var rng = stream(s);
            var a = new double[o]; var b = new double[d];
            for (int i = 0; i < o; i++) a[i] = rng.Normal();
            for (int j = 0; j < d; j++) b[j] = rng.Normal() / Math.Sqrt(d);
            var xs = x.SliceSpan(s); var ys = y.SliceSpan(s);
            for (int i = 0; i < n; i++)
            {
                double bx = 0;
                for (int j = 0; j < d; j++) { xs[i * d + j] = T.CreateChecked(rng.Normal()); bx += b[j] * double.CreateChecked(xs[i * d + j]); }
                for (int k = 0; k < o; k++) ys[i * o + k] = T.CreateChecked(a[k] * bx + labelNoise * rng.Normal());
            }
            var sigma = moments[s] = new Tensor<double>(d, d);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++)
                    for (int l = 0; l < d; l++) sigma[j, l] += double.CreateChecked(xs[i * d + j]) * double.CreateChecked(xs[i * d + l]) / n;
        }
        return (x, y, moments);
    }

    /// <summary>
    /// y = Mx + σε with M ~ N(0, 1/d) [out × d] on anisotropic inputs x_j = s·decay^j·z_j, z ~ N(0, I_d)
    /// (docs/experiments/entropic-balance.md#d-a-setting-alignment-of-two-linear-nets); also fresh probe inputs of the same
    /// law from a second stream. Draws M, then every sample's x, then every sample's ε (per output).
    /// </summary>
    public static (Tensor<T> Inputs, Tensor<T> Targets, Tensor<T> ProbeInputs) AnisotropicLinear<T>(int members, int samples, int probeSamples,
        int inDim, int outDim, double inputScale, double decay, double labelNoise, Func<int, Rng> stream, Func<int, Rng> probeStream)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = inDim, o = outDim;
        var x = new Tensor<T>(members, samples, d);
        var y = new Tensor<T>(members, samples, o);
        var probe = new Tensor<T>(members, probeSamples, d);
        void Inputs(Span<T> dst, int n, Rng r)
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++) dst[i * d + j] = T.CreateChecked(inputScale * Math.Pow(decay, j) * r.Normal());
        }
        for (int s = 0; s < members; s++)
        {
            var rng = stream(s);
            var m = new double[o * d];
            for (int i = 0; i < m.Length; i++) m[i] = rng.Normal() / Math.Sqrt(d);
            var xs = x.SliceSpan(s); var ys = y.SliceSpan(s);
            Inputs(xs, samples, rng);
            for (int i = 0; i < samples; i++)
                for (int k = 0; k < o; k++)
                {
                    double v = 0;
                    for (int j = 0; j < d; j++) v += m[k * d + j] * double.CreateChecked(xs[i * d + j]);
                    ys[i * o + k] = T.CreateChecked(v + labelNoise * rng.Normal());
                }
            Inputs(probe.SliceSpan(s), probeSamples, probeStream(s));
        }
        return (x, y, probe);
    }

    /// <summary>
    /// A scalar ReLU teacher y = Σ_k a_k ReLU(b_kᵀx) + σε with b_k ~ N(0, (scale/√d)²), a_k ~ N(0, 1), x ~ N(0, I_d)
    /// (docs/experiments/entropic-balance.md#d-b-setting-neuron-balance). Draws every b_k, every a_k, then per sample x and ε.
    /// </summary>
    public static (Tensor<T> Inputs, Tensor<T> Targets) ReluUnits<T>(int members, int samples, int inDim, int units, double teacherScale,
        double labelNoise, Func<int, Rng> stream) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = inDim, k = units;
        var x = new Tensor<T>(members, samples, d);
        var y = new Tensor<T>(members, samples, 1);
        for (int s = 0; s < members; s++)
        {
            var rng = stream(s);
            var b = new double[k * d]; var a = new double[k];
            for (int i = 0; i < b.Length; i++) b[i] = rng.Normal() * teacherScale / Math.Sqrt(d);
            for (int i = 0; i < k; i++) a[i] = rng.Normal();
            var xs = x.SliceSpan(s); var ys = y.SliceSpan(s);
            for (int n = 0; n < samples; n++)
            {
                for (int j = 0; j < d; j++) xs[n * d + j] = T.CreateChecked(rng.Normal());
                double v = 0;
                for (int t = 0; t < k; t++)
                {
                    double z = 0;
                    for (int j = 0; j < d; j++) z += b[t * d + j] * double.CreateChecked(xs[n * d + j]);
                    v += a[t] * Math.Max(z, 0);
                }
                ys[n] = T.CreateChecked(v + labelNoise * rng.Normal());
            }
        }
        return (x, y);
    }
}
