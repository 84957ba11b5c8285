using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Noether.Tensors;

namespace Noether.Probes;

/// <summary>
/// Unbiased (debiased) HSIC and CKA (docs/probes.md#unbiased-cka): Song et al. (2012) U-statistic, its
/// U-centring form (Székely and Rizzo 2014), and the feature-space debiased linear CKA. Independent
/// features score ≈ 0 instead of the ≈ d/n of biased CKA. Needs n ≥ 4.
/// </summary>
public static class UnbiasedCka
{
    /// <summary>
    /// Song's unbiased HSIC (docs/probes.md#unbiased-cka): [tr(K̃L̃) + (𝟙ᵀK̃𝟙)(𝟙ᵀL̃𝟙)/((n−1)(n−2)) − (2/(n−2))·𝟙ᵀK̃L̃𝟙] / (n(n−3)),
    /// K̃ and L̃ the kernels with zeroed diagonals. The inputs are read only (the diagonal is skipped).
    /// </summary>
    public static double HsicUnbiasedSong(ReadOnlySpan<double> k, ReadOnlySpan<double> l, int n)
    {
        RequireN(n);
        double trace = 0, sumK = 0, sumL = 0, cross = 0;
        for (int i = 0; i < n; i++)
        {
            var ki = k.Slice(i * n, n);
            var li = l.Slice(i * n, n);
            // Symmetric kernels: tr(K̃L̃) = Σ_ij K̃_ij L̃_ij, column sums = row sums.
            double dot = TensorPrimitives.Dot(ki, li) - ki[i] * li[i];
            double rk = TensorPrimitives.Sum(ki) - ki[i];
            double rl = TensorPrimitives.Sum(li) - li[i];
            trace += dot; sumK += rk; sumL += rl; cross += rk * rl;
        }
        return (trace + sumK * sumL / ((n - 1.0) * (n - 2.0)) - 2.0 / (n - 2.0) * cross) / (n * (n - 3.0));
    }

    /// <summary>
    /// U-centring (docs/probes.md#unbiased-cka) in place: zero the diagonal, m_j = Σ_i K_ij/(n−2), m_j ← m_j − Σ_k m_k/(2(n−1)),
    /// K^U_ij = K_ij − m_i − m_j, diagonal zeroed again.
    /// </summary>
    public static void UCenter(Span<double> k, int n)
    {
        RequireN(n);
        var mean = FeatureMatrix.Rent(n);
        try
        {
            var m = mean.AsSpan(0, n);
            for (int i = 0; i < n; i++) k[i * n + i] = 0;
            for (int i = 0; i < n; i++) m[i] = TensorPrimitives.Sum(k.Slice(i * n, n)) / (n - 2.0);
            double shift = TensorPrimitives.Sum<double>(m) / (2.0 * (n - 1.0));
            TensorPrimitives.Subtract(m, shift, m);
            for (int i = 0; i < n; i++)
            {
                var row = k.Slice(i * n, n);
                TensorPrimitives.Subtract(row, m, row);
                TensorPrimitives.Subtract(row, m[i], row);
                row[i] = 0;
            }
        }
        finally { FeatureMatrix.Return(mean); }
    }

    /// <summary>Unbiased HSIC by U-centring (docs/probes.md#unbiased-cka): ⟨K^U, L^U⟩_F/(n(n−3)); equals <see cref="HsicUnbiasedSong"/> exactly.</summary>
    public static double HsicUnbiasedUCentred(ReadOnlySpan<double> k, ReadOnlySpan<double> l, int n)
    {
        RequireN(n);
        var ku = FeatureMatrix.RentCopy(k[..(n * n)], out _);
        var lu = FeatureMatrix.RentCopy(l[..(n * n)], out _);
        try
        {
            UCenter(ku, n);
            UCenter(lu, n);
            return TensorPrimitives.Dot<double>(ku.AsSpan(0, n * n), lu.AsSpan(0, n * n)) / (n * (n - 3.0));
        }
        finally { FeatureMatrix.Return(ku); FeatureMatrix.Return(lu); }
    }

    /// <summary>
    /// Unbiased linear CKA, Song form (docs/probes.md#unbiased-cka): HSIC_u(K,L)/√(HSIC_u(K,K)·HSIC_u(L,L)) on the linear kernels
    /// K = AAᵀ, L = BBᵀ of the features as given (HSIC_u is exactly invariant to translating either set).
    /// Returns 0 when HSIC_u(K,K)·HSIC_u(L,L) ≤ 0. With <paramref name="clipAtZero"/> each HSIC term is
    /// first clipped at ≥ 0, as in the multimodal_alignment code.
    /// </summary>
    public static double UnbiasedLinearCka(Tensor<double> a, Tensor<double> b, bool clipAtZero = false)
    {
        var (n, da, db) = FeatureMatrix.PairDims("UnbiasedCka.UnbiasedLinearCka", a, b);
        RequireN(n);
        var k = FeatureMatrix.Rent(n * n);
        var l = FeatureMatrix.Rent(n * n);
        try
        {
            FeatureMatrix.Gram(a.ReadOnlySpan, n, da, k);
            FeatureMatrix.Gram(b.ReadOnlySpan, n, db, l);
            return UnbiasedCkaOfKernels(k.AsSpan(0, n * n), l.AsSpan(0, n * n), n, clipAtZero);
        }
        finally { FeatureMatrix.Return(k); FeatureMatrix.Return(l); }
    }

    /// <summary>Unbiased CKA of two symmetric n×n kernels (Song HSIC_u, docs/probes.md#unbiased-cka). Inputs are read only.</summary>
    public static double UnbiasedCkaOfKernels(ReadOnlySpan<double> k, ReadOnlySpan<double> l, int n, bool clipAtZero = false)
    {
        double kl = HsicUnbiasedSong(k, l, n);
        double kk = HsicUnbiasedSong(k, k, n);
        double ll = HsicUnbiasedSong(l, l, n);
        if (clipAtZero) { kl = Math.Max(kl, 0); kk = Math.Max(kk, 0); ll = Math.Max(ll, 0); }
        double den = kk * ll;
        return Normalised.OverRoot(kl, den);
    }

    /// <summary>
    /// Debiased linear CKA in feature space (docs/probes.md#unbiased-cka, Kornblith demo form), O(n·d²): with centred A, B,
    /// r = row squared norms, s = Σr, h(x) = x − (n/(n−2))·r_a·r_b + s_a·s_b/((n−1)(n−2));
    /// CKA = h(‖AᵀB‖²) / √(h(‖AᵀA‖²)·h(‖BᵀB‖²)). Equals <see cref="UnbiasedLinearCka"/>.
    /// </summary>
    public static double UnbiasedLinearCkaFeature(Tensor<double> a, Tensor<double> b)
    {
        var (n, da, db) = FeatureMatrix.PairDims("UnbiasedCka.UnbiasedLinearCkaFeature", a, b);
        RequireN(n);
        var ac = FeatureMatrix.Rent(n * da);
        var bc = FeatureMatrix.Rent(n * db);
        var ra = FeatureMatrix.Rent(n);
        var rb = FeatureMatrix.Rent(n);
        try
        {
            FeatureMatrix.CenterColumns(a.ReadOnlySpan, n, da, ac);
            FeatureMatrix.CenterColumns(b.ReadOnlySpan, n, db, bc);
            for (int i = 0; i < n; i++)
            {
                ra[i] = TensorPrimitives.SumOfSquares<double>(ac.AsSpan(i * da, da));
                rb[i] = TensorPrimitives.SumOfSquares<double>(bc.AsSpan(i * db, db));
            }
            var rA = ra.AsSpan(0, n); var rB = rb.AsSpan(0, n);
            double sa = TensorPrimitives.Sum<double>(rA), sb = TensorPrimitives.Sum<double>(rB);
            double xy = DebiasedDot(FeatureMatrix.CrossProductSquaredNorm(ac, da, bc, db, n), rA, rB, sa, sb, n);
            double xx = DebiasedDot(FeatureMatrix.CrossProductSquaredNorm(ac, da, ac, da, n), rA, rA, sa, sa, n);
            double yy = DebiasedDot(FeatureMatrix.CrossProductSquaredNorm(bc, db, bc, db, n), rB, rB, sb, sb, n);
            double den = xx * yy;
            return Normalised.OverRoot(xy, den);
        }
        finally { FeatureMatrix.Return(ac); FeatureMatrix.Return(bc); FeatureMatrix.Return(ra); FeatureMatrix.Return(rb); }
    }

    private static double DebiasedDot(double xty, ReadOnlySpan<double> ra, ReadOnlySpan<double> rb, double sa, double sb, int n)
        => xty - n / (n - 2.0) * TensorPrimitives.Dot(ra, rb) + sa * sb / ((n - 1.0) * (n - 2.0));

    private static void RequireN(int n)
    {
        if (n < 4) throw new ArgumentException($"unbiased HSIC needs at least 4 inputs (rows), got {n}");
    }
}
