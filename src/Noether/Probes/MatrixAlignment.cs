using MathNet.Numerics.LinearAlgebra;
using Noether.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Noether.Probes;

/// <summary>Mean and spread of an alignment under a null model.</summary>
public sealed record AlignmentNull(double Mean, double Sd, int Samples);

/// <summary>
/// Alignment of two same-size matrices, read as vectors of entries: Frobenius cosine (docs/experiments/hebbian.md#protocol),
/// entrywise Pearson α (the CRH alignment, docs/experiments/crh.md#the-alignment-measure), Spearman rank correlation, and the
/// spectrum-preserving orthogonal null α(X, QZQᵀ) with Haar-random Q (docs/experiments/crh.md#the-alignment-measure: entrywise Pearson
/// of unrelated positive semidefinite matrices is large because of their diagonals).
/// </summary>
public static class MatrixAlignment
{
    /// <summary>cos(X,Y) = Tr(XᵀY)/√(Tr(XᵀX)·Tr(YᵀY)); 0 when either is zero.</summary>
    public static double FrobeniusCosine(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        RequireSameLength("MatrixAlignment.FrobeniusCosine", x.Length, y.Length);
        double den = TensorPrimitives.Norm(x) * TensorPrimitives.Norm(y);
        return Normalised.Quotient(TensorPrimitives.Dot(x, y), den);
    }

    /// <inheritdoc cref="FrobeniusCosine(ReadOnlySpan{double}, ReadOnlySpan{double})"/>
    public static double FrobeniusCosine(Tensor<double> x, Tensor<double> y)
    {
        Shapes.RequireSameShape("MatrixAlignment.FrobeniusCosine", x, y);
        return FrobeniusCosine(x.ReadOnlySpan, y.ReadOnlySpan);
    }

    /// <summary>
    /// CRH alignment α(X,Y) = Σ(X_ij−X̄)(Y_ij−Ȳ)/√(Σ(X_ij−X̄)²·Σ(Y_ij−Ȳ)²) over all entries (docs/experiments/crh.md#the-alignment-measure);
    /// 0 when either matrix is constant.
    /// </summary>
    public static double PearsonAlpha(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        RequireSameLength("MatrixAlignment.PearsonAlpha", x.Length, y.Length);
        int m = x.Length;
        if (m == 0) return 0.0;
        double mx = TensorPrimitives.Sum(x) / m, my = TensorPrimitives.Sum(y) / m;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < m; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        double den = Math.Sqrt(sxx * syy);
        return Normalised.Quotient(sxy, den);
    }

    /// <inheritdoc cref="PearsonAlpha(ReadOnlySpan{double}, ReadOnlySpan{double})"/>
    public static double PearsonAlpha(Tensor<double> x, Tensor<double> y)
    {
        Shapes.RequireSameShape("MatrixAlignment.PearsonAlpha", x, y);
        return PearsonAlpha(x.ReadOnlySpan, y.ReadOnlySpan);
    }

    /// <summary>Spearman ρ of the entries: Pearson correlation of their ranks (ties get their average rank).</summary>
    public static double SpearmanAlpha(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        RequireSameLength("MatrixAlignment.SpearmanAlpha", x.Length, y.Length);
        var rx = Ranks(x);
        var ry = Ranks(y);
        return PearsonAlpha(rx, ry);
    }

    /// <inheritdoc cref="SpearmanAlpha(ReadOnlySpan{double}, ReadOnlySpan{double})"/>
    public static double SpearmanAlpha(Tensor<double> x, Tensor<double> y)
    {
        Shapes.RequireSameShape("MatrixAlignment.SpearmanAlpha", x, y);
        return SpearmanAlpha(x.ReadOnlySpan, y.ReadOnlySpan);
    }

    /// <summary>1-based ranks with ties averaged.</summary>
    public static double[] Ranks(ReadOnlySpan<double> x)
    {
        int m = x.Length;
        var order = new int[m];
        var keys = x.ToArray();
        for (int i = 0; i < m; i++) order[i] = i;
        Array.Sort(keys, order);
        var ranks = new double[m];
        for (int i = 0; i < m;)
        {
            int j = i;
            while (j + 1 < m && keys[j + 1] == keys[i]) j++;
            double r = (i + j) / 2.0 + 1.0;
            for (int t = i; t <= j; t++) ranks[order[t]] = r;
            i = j + 1;
        }
        return ranks;
    }

    /// <summary>
    /// Spectrum-preserving orthogonal null (docs/experiments/crh.md#the-alignment-measure): the mean and sd of α(X, QZQᵀ) over
    /// <paramref name="samples"/> Haar-random orthogonal Q. Z keeps its eigenvalues but loses its
    /// eigenvectors' relation to X. X and Z are m×m.
    /// </summary>
    public static AlignmentNull OrthogonalNull(Tensor<double> x, Tensor<double> z, int samples, Rng rng)
    {
        Shapes.Require(x.Rank == 2 && x.Shape[0] == x.Shape[1], "MatrixAlignment.OrthogonalNull", "a square matrix X", x.Shape);
        Shapes.RequireSameShape("MatrixAlignment.OrthogonalNull", x, z);
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), $"need at least one sample, got {samples}");
        int m = x.Shape[0];
        var zm = Matrix<double>.Build.DenseOfRowMajor(m, m, z.ToDoubles());
        var rotated = new double[m * m];
        double sum = 0, sumSq = 0;
        for (int s = 0; s < samples; s++)
        {
            var q = HaarOrthogonal(m, rng);
            var r = q * zm * q.Transpose();
            for (int i = 0; i < m; i++) for (int j = 0; j < m; j++) rotated[i * m + j] = r[i, j];
            double a = PearsonAlpha(x.ReadOnlySpan, rotated);
            sum += a; sumSq += a * a;
        }
        double mean = sum / samples;
        double sd = samples > 1 ? Math.Sqrt(Math.Max(0, (sumSq - samples * mean * mean) / (samples - 1))) : 0.0;
        return new AlignmentNull(mean, sd, samples);
    }

    /// <summary>Haar-distributed orthogonal m×m matrix: QR of a Gaussian matrix, columns sign-fixed by diag(R).</summary>
    public static Matrix<double> HaarOrthogonal(int m, Rng rng)
    {
        var g = Matrix<double>.Build.Dense(m, m, (_, _) => rng.Normal());
        var qr = g.QR();
        var q = qr.Q.Clone();
        for (int j = 0; j < m; j++)
            if (qr.R[j, j] < 0) q.SetColumn(j, -q.Column(j));
        return q;
    }

    private static void RequireSameLength(string op, int a, int b)
    {
        if (a != b) throw new ShapeMismatchException($"{op}: {a} entries do not match {b} entries");
    }
}
