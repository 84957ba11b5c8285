using System.Buffers;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Noether.Tensors;

namespace Noether.Probes;

/// <summary>
/// Shared kernels for probes on n×d row-major feature matrices (one row per input): shape checks,
/// column centring, row normalisation, outlier clipping, Gram matrices and Gram centring.
/// Kernels take spans and write into caller-owned buffers so callers can rent workspace once per call.
/// </summary>
public static class FeatureMatrix
{
    /// <summary>Checks that <paramref name="t"/> is a 2-D matrix and returns (rows, cols).</summary>
    public static (int N, int D) Dims(string op, Tensor<double> t)
    {
        Shapes.Require(t.Rank == 2, op, "[n,d] (one row per input)", t.Shape);
        return (t.Shape[0], t.Shape[1]);
    }

    /// <summary>Checks that two feature matrices describe the same n inputs; returns (n, d_a, d_b).</summary>
    public static (int N, int Da, int Db) PairDims(string op, Tensor<double> a, Tensor<double> b)
    {
        var (na, da) = Dims(op, a);
        var (nb, db) = Dims(op, b);
        if (na != nb)
            throw new ShapeMismatchException($"{op}: shape {Tensor<double>.ShapeText(a.Shape)} and {Tensor<double>.ShapeText(b.Shape)} have different numbers of rows (inputs)");
        return (na, da, db);
    }

    /// <summary>dst = src with every column's mean subtracted (the H·X of CKA, without forming H).</summary>
    public static void CenterColumns(ReadOnlySpan<double> src, int n, int d, Span<double> dst)
    {
        src[..(n * d)].CopyTo(dst);
        if (n == 0) return;
        var mean = ArrayPool<double>.Shared.Rent(d);
        try
        {
            var m = mean.AsSpan(0, d);
            m.Clear();
            for (int i = 0; i < n; i++) TensorPrimitives.Add(m, dst.Slice(i * d, d), m);
            TensorPrimitives.Multiply(m, 1.0 / n, m);
            for (int i = 0; i < n; i++) TensorPrimitives.Subtract(dst.Slice(i * d, d), m, dst.Slice(i * d, d));
        }
        finally { ArrayPool<double>.Shared.Return(mean); }
    }

    /// <summary>Scales every row to unit L2 norm in place; zero rows stay zero.</summary>
    public static void NormalizeRows(Span<double> x, int n, int d)
    {
        for (int i = 0; i < n; i++)
        {
            var row = x.Slice(i * d, d);
            double norm = TensorPrimitives.Norm(row);
            if (norm > 0) TensorPrimitives.Multiply(row, 1.0 / norm, row);
        }
    }

    /// <summary>
    /// Platonic-representation outlier clipping (docs/probes.md#preprocessing, default mode): τ = the mean over
    /// rows of each row's <paramref name="quantile"/>-quantile of |value| (linear interpolation), then
    /// every value is clamped to [−τ, τ] in place. Returns τ.
    /// </summary>
    public static double ClipOutliersRowQuantile(Span<double> x, int n, int d, double quantile)
    {
        if (!(quantile > 0 && quantile <= 1))
            throw new ArgumentOutOfRangeException(nameof(quantile), $"clip quantile must be in (0, 1], got {quantile}");
        if (n == 0 || d == 0) return 0;
        var buf = ArrayPool<double>.Shared.Rent(d);
        double tau = 0;
        try
        {
            var s = buf.AsSpan(0, d);
            for (int i = 0; i < n; i++)
            {
                TensorPrimitives.Abs(x.Slice(i * d, d), s);
                s.Sort();
                double pos = quantile * (d - 1);
                int lo = (int)Math.Floor(pos);
                int hi = Math.Min(lo + 1, d - 1);
                tau += s[lo] + (pos - lo) * (s[hi] - s[lo]);
            }
        }
        finally { ArrayPool<double>.Shared.Return(buf); }
        tau /= n;
        TensorPrimitives.Clamp(x[..(n * d)], -tau, tau, x[..(n * d)]);
        return tau;
    }

    /// <summary>K = X·Xᵀ (n×n linear kernel) for X n×d.</summary>
    public static void Gram(ReadOnlySpan<double> x, int n, int d, Span<double> k)
        => Gemm.Multiply(false, true, n, n, d, x, x, k);

    /// <summary>
    /// Double centring K ← H·K·H in place (H = I − 𝟙𝟙ᵀ/n): subtract row and column means, add back the
    /// grand mean. K must be symmetric.
    /// </summary>
    public static void CenterGram(Span<double> k, int n)
    {
        var mean = ArrayPool<double>.Shared.Rent(n);
        try
        {
            var m = mean.AsSpan(0, n);
            for (int i = 0; i < n; i++) m[i] = TensorPrimitives.Sum(k.Slice(i * n, n)) / n;
            double grand = TensorPrimitives.Sum(m) / n;
            for (int i = 0; i < n; i++)
            {
                var row = k.Slice(i * n, n);
                TensorPrimitives.Subtract(row, m, row);
                TensorPrimitives.Add(row, grand - m[i], row);
            }
        }
        finally { ArrayPool<double>.Shared.Return(mean); }
    }

    /// <summary>‖XᵀY‖_F² for X n×dx, Y n×dy, using a dx×dy workspace.</summary>
    public static double CrossProductSquaredNorm(ReadOnlySpan<double> x, int dx, ReadOnlySpan<double> y, int dy, int n)
    {
        var buf = ArrayPool<double>.Shared.Rent(dx * dy);
        try
        {
            var c = buf.AsSpan(0, dx * dy);
            Gemm.Multiply(true, false, dx, dy, n, x, y, c);
            return TensorPrimitives.SumOfSquares(c);
        }
        finally { ArrayPool<double>.Shared.Return(buf); }
    }

    /// <summary>A dense copy of a tensor's elements as a rented array (caller returns it to the shared pool).</summary>
    internal static double[] RentCopy(ReadOnlySpan<double> src, out int length)
    {
        length = src.Length;
        var a = ArrayPool<double>.Shared.Rent(Math.Max(1, length));
        src.CopyTo(a);
        return a;
    }

    internal static double[] Rent(int length) => ArrayPool<double>.Shared.Rent(Math.Max(1, length));
    internal static void Return(double[] a) => ArrayPool<double>.Shared.Return(a);
}
