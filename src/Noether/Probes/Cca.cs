using MathNet.Numerics.LinearAlgebra;
using Noether.Tensors;

namespace Noether.Probes;

/// <summary>
/// Canonical correlation analysis and SVCCA (docs/probes.md#cca-and-svcca). The canonical correlations
/// ρ₁ ≥ … are the singular values of Q_aᵀQ_b with Q an orthonormal basis of the centred column space.
/// Here Q_a = A_c·V·Λ^{-1/2} from the eigen-decomposition of A_cᵀA_c, so only d×d matrices are
/// factorised (n never appears in an SVD). CCA is invariant to any invertible linear map of either
/// side, so it is degenerate (all ρ = 1) when d ≥ n.
/// </summary>
public static class Cca
{
    /// <summary>Eigenvalues below this fraction of the largest count as rank deficiency and are dropped.</summary>
    public const double RelativeEigenTolerance = 1e-10;

    /// <summary>Canonical correlations of the column-centred features, descending, min(rank A, rank B) of them.</summary>
    public static double[] CanonicalCorrelations(Tensor<double> a, Tensor<double> b)
    {
        var (n, da, db) = FeatureMatrix.PairDims("Cca.CanonicalCorrelations", a, b);
        var ac = Centred(a.ReadOnlySpan, n, da, zScore: false);
        var bc = Centred(b.ReadOnlySpan, n, db, zScore: false);
        var wa = Whitener(ac, int.MaxValue, varianceKept: 1.0);
        var wb = Whitener(bc, int.MaxValue, varianceKept: 1.0);
        return CorrelationsOf(ac, bc, wa, wb);
    }

    /// <summary>Mean canonical correlation over the full column spaces (the `cca` metric).</summary>
    public static double CcaMeanCorrelation(Tensor<double> a, Tensor<double> b)
    {
        var rho = CanonicalCorrelations(a, b);
        return rho.Length == 0 ? 0.0 : rho.Average();
    }

    /// <summary>
    /// SVCCA, PRH/multimodal variant (docs/probes.md#cca-and-svcca): z-score the columns (sample std + 1e-8), keep the top
    /// <paramref name="dims"/> left singular vectors U of each side, and return the mean singular value of
    /// U_aᵀU_b, which is the mean correlation of the canonical variate pairs.
    /// </summary>
    public static double SvccaTopK(Tensor<double> a, Tensor<double> b, int dims = 10)
    {
        if (dims < 1) throw new ArgumentOutOfRangeException(nameof(dims), $"SVCCA needs at least one direction, got {dims}");
        var (n, da, db) = FeatureMatrix.PairDims("Cca.SvccaTopK", a, b);
        var az = Centred(a.ReadOnlySpan, n, da, zScore: true);
        var bz = Centred(b.ReadOnlySpan, n, db, zScore: true);
        var rho = CorrelationsOf(az, bz, Whitener(az, dims, 1.0), Whitener(bz, dims, 1.0));
        return rho.Length == 0 ? 0.0 : rho.Average();
    }

    /// <summary>
    /// SVCCA, original (Raghu et al. 2017): keep the top singular directions of each centred side that
    /// explain <paramref name="varianceKept"/> of its variance, run CCA, return the mean ρ.
    /// </summary>
    public static double SvccaVarianceKept(Tensor<double> a, Tensor<double> b, double varianceKept = 0.99)
    {
        if (!(varianceKept > 0 && varianceKept <= 1)) throw new ArgumentOutOfRangeException(nameof(varianceKept), $"variance fraction must be in (0,1], got {varianceKept}");
        var (n, da, db) = FeatureMatrix.PairDims("Cca.SvccaVarianceKept", a, b);
        var ac = Centred(a.ReadOnlySpan, n, da, zScore: false);
        var bc = Centred(b.ReadOnlySpan, n, db, zScore: false);
        var rho = CorrelationsOf(ac, bc, Whitener(ac, int.MaxValue, varianceKept), Whitener(bc, int.MaxValue, varianceKept));
        return rho.Length == 0 ? 0.0 : rho.Average();
    }

    private static Matrix<double> Centred(ReadOnlySpan<double> x, int n, int d, bool zScore)
    {
        var c = new double[n * d];
        FeatureMatrix.CenterColumns(x, n, d, c);
        if (zScore && n > 1)
            for (int j = 0; j < d; j++)
            {
                double ss = 0;
                for (int i = 0; i < n; i++) ss += c[i * d + j] * c[i * d + j];
                double inv = 1.0 / (Math.Sqrt(ss / (n - 1)) + 1e-8);
                for (int i = 0; i < n; i++) c[i * d + j] *= inv;
            }
        return Matrix<double>.Build.DenseOfRowMajor(n, d, c);
    }

    /// <summary>
    /// W (d×r) with X·W orthonormal: eigenvectors of XᵀX scaled by λ^{-1/2}, the top ones first, at most
    /// <paramref name="maxDims"/>, stopping once <paramref name="varianceKept"/> of the trace is covered.
    /// </summary>
    private static Matrix<double> Whitener(Matrix<double> x, int maxDims, double varianceKept)
    {
        var cov = x.TransposeThisAndMultiply(x);
        var evd = cov.Evd(Symmetricity.Symmetric);
        int d = cov.RowCount;
        var lambda = evd.EigenValues.Select(z => z.Real).ToArray(); // ascending
        double top = d == 0 ? 0 : lambda[d - 1];
        double total = lambda.Where(v => v > 0).Sum();
        var cols = new List<Vector<double>>();
        double covered = 0;
        for (int i = d - 1; i >= 0 && cols.Count < maxDims; i--)
        {
            if (!(lambda[i] > RelativeEigenTolerance * top) || top <= 0) break;
            cols.Add(evd.EigenVectors.Column(i) / Math.Sqrt(lambda[i]));
            covered += lambda[i];
            if (varianceKept < 1 && covered >= varianceKept * total) break;
        }
        return cols.Count == 0 ? Matrix<double>.Build.Dense(d, 0) : Matrix<double>.Build.DenseOfColumnVectors(cols);
    }

    private static double[] CorrelationsOf(Matrix<double> ac, Matrix<double> bc, Matrix<double> wa, Matrix<double> wb)
    {
        if (wa.ColumnCount == 0 || wb.ColumnCount == 0) return [];
        var m = wa.TransposeThisAndMultiply(ac.TransposeThisAndMultiply(bc)) * wb;
        var s = m.Svd(computeVectors: false).S.ToArray();
        int r = Math.Min(wa.ColumnCount, wb.ColumnCount);
        return s.Take(r).Select(v => Math.Clamp(v, 0.0, 1.0)).OrderByDescending(v => v).ToArray();
    }
}
