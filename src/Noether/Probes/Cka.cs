using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Noether.Tensors;

namespace Noether.Probes;

/// <summary>
/// Biased centred kernel alignment (Kornblith et al. 2019; docs/probes.md#cka):
/// CKA(K,L) = HSIC_b(K,L) / √(HSIC_b(K,K)·HSIC_b(L,L)), HSIC_b(K,L) = tr(KHLH)/(n−1)².
/// Invariant to orthogonal maps, isotropic scaling and translation of either feature set.
/// </summary>
public static class Cka
{
    /// <summary>
    /// Linear CKA, feature form (docs/probes.md#cka): ‖B_cᵀA_c‖_F² / (‖A_cᵀA_c‖_F·‖B_cᵀB_c‖_F) with column-centred A_c, B_c.
    /// Costs O(n·d²); prefer it when d &lt; n. Returns 0 when either side is constant.
    /// </summary>
    public static double LinearCka(Tensor<double> a, Tensor<double> b)
    {
        var (n, da, db) = FeatureMatrix.PairDims("Cka.LinearCka", a, b);
        return LinearCka(a.ReadOnlySpan, b.ReadOnlySpan, n, da, db);
    }

    /// <inheritdoc cref="LinearCka(Tensor{double}, Tensor{double})"/>
    public static double LinearCka(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int n, int da, int db)
    {
        var ac = FeatureMatrix.Rent(n * da);
        var bc = FeatureMatrix.Rent(n * db);
        try
        {
            FeatureMatrix.CenterColumns(a, n, da, ac);
            FeatureMatrix.CenterColumns(b, n, db, bc);
            double xy = FeatureMatrix.CrossProductSquaredNorm(bc, db, ac, da, n);
            double xx = Math.Sqrt(FeatureMatrix.CrossProductSquaredNorm(ac, da, ac, da, n));
            double yy = Math.Sqrt(FeatureMatrix.CrossProductSquaredNorm(bc, db, bc, db, n));
            double den = xx * yy;
            return Normalised.Quotient(xy, den);
        }
        finally { FeatureMatrix.Return(ac); FeatureMatrix.Return(bc); }
    }

    /// <summary>
    /// Linear CKA, Gram form (docs/probes.md#cka): CKA of K = AAᵀ and L = BBᵀ after double centring. Equal to the
    /// feature form; O(n²·d) time and two n×n workspaces.
    /// </summary>
    public static double LinearCkaGram(Tensor<double> a, Tensor<double> b)
    {
        var (n, da, db) = FeatureMatrix.PairDims("Cka.LinearCkaGram", a, b);
        var k = FeatureMatrix.Rent(n * n);
        var l = FeatureMatrix.Rent(n * n);
        try
        {
            FeatureMatrix.Gram(a.ReadOnlySpan, n, da, k);
            FeatureMatrix.Gram(b.ReadOnlySpan, n, db, l);
            return CkaOfKernels(k.AsSpan(0, n * n), l.AsSpan(0, n * n), n);
        }
        finally { FeatureMatrix.Return(k); FeatureMatrix.Return(l); }
    }

    /// <summary>
    /// CKA of two n×n kernel matrices (docs/probes.md#cka): ⟨HKH, HLH⟩_F / (‖HKH‖_F‖HLH‖_F). The kernels are centred
    /// in place (they are workspace). Returns 0 when either centred kernel is zero.
    /// </summary>
    public static double CkaOfKernels(Span<double> k, Span<double> l, int n)
    {
        FeatureMatrix.CenterGram(k, n);
        FeatureMatrix.CenterGram(l, n);
        double kl = TensorPrimitives.Dot<double>(k[..(n * n)], l[..(n * n)]);
        double den = TensorPrimitives.Norm<double>(k[..(n * n)]) * TensorPrimitives.Norm<double>(l[..(n * n)]);
        return Normalised.Quotient(kl, den);
    }

    /// <summary>Biased HSIC (docs/probes.md#cka): HSIC_b(K,L) = tr(KHLH)/(n−1)² for n×n kernels (inputs are not modified).</summary>
    public static double HsicBiased(ReadOnlySpan<double> k, ReadOnlySpan<double> l, int n)
    {
        var kc = FeatureMatrix.RentCopy(k[..(n * n)], out _);
        var lc = FeatureMatrix.RentCopy(l[..(n * n)], out _);
        try
        {
            FeatureMatrix.CenterGram(kc, n);
            FeatureMatrix.CenterGram(lc, n);
            // tr(KHLH) = ⟨HKH, HLH⟩_F because H is idempotent and the kernels are symmetric.
            double nm1 = n - 1.0;
            return TensorPrimitives.Dot<double>(kc.AsSpan(0, n * n), lc.AsSpan(0, n * n)) / (nm1 * nm1);
        }
        finally { FeatureMatrix.Return(kc); FeatureMatrix.Return(lc); }
    }
}
