using Noether.Tensors;

namespace Noether.Probes;

/// <summary>
/// CKNNA: CKA restricted to mutual nearest neighbours (PRH; docs/probes.md#cknna). With K = AAᵀ and
/// L = BBᵀ on L2-normalised rows and row-wise top-k masks M_K, M_L (self excluded):
/// sim(K,L) = HSIC_u(M⊙K, M⊙L), M = M_K⊙M_L; CKNNA = sim(K,L) / (√(sim(K,K)·sim(L,L)) + 1e-6),
/// where sim(K,K) uses M = M_K. Between m_kNN (local, rank only) and CKA (global).
/// </summary>
public static class Cknna
{
    /// <summary>The slack added to the denominator, as in the PRH code (so CKNNA(A,A) is 1 − O(1e-6)).</summary>
    public const double DenominatorSlack = 1e-6;

    /// <summary>CKNNA with k neighbours (k ≥ 2); rows are L2-normalised unless <paramref name="normalizeRows"/> is false.
    /// Returns 0 when sim(K,K)·sim(L,L) ≤ 0.</summary>
    public static double CknnaAlignment(Tensor<double> a, Tensor<double> b, int k = 10, bool normalizeRows = true)
    {
        var (n, _, _) = FeatureMatrix.PairDims("Cknna.CknnaAlignment", a, b);
        if (k < 2) throw new ArgumentOutOfRangeException(nameof(k), $"CKNNA needs k ≥ 2, got {k}");
        MutualKnn.RequireK(k, n);
        if (n < 4) throw new ArgumentException($"CKNNA uses unbiased HSIC and needs at least 4 inputs (rows), got {n}");
        int nn = n * n;
        var kk = FeatureMatrix.Rent(nn);
        var ll = FeatureMatrix.Rent(nn);
        var m1 = FeatureMatrix.Rent(nn);
        var m2 = FeatureMatrix.Rent(nn);
        var nbA = new int[n * k];
        var nbB = new int[n * k];
        try
        {
            MutualKnn.SimilarityMatrix(a, normalizeRows, null, kk);
            MutualKnn.SimilarityMatrix(b, normalizeRows, null, ll);
            MutualKnn.TopKRows(kk, n, k, excludeSelf: true, nbA);
            MutualKnn.TopKRows(ll, n, k, excludeSelf: true, nbB);
            var K = kk.AsSpan(0, nn); var L = ll.AsSpan(0, nn);
            var mk = m1.AsSpan(0, nn); var ml = m2.AsSpan(0, nn);

            Mask(K, n, k, nbA, null, mk);
            double simKK = HsicUnbiasedGeneral(mk, mk, n);
            Mask(L, n, k, nbB, null, ml);
            double simLL = HsicUnbiasedGeneral(ml, ml, n);
            Mask(K, n, k, nbA, nbB, mk);
            Mask(L, n, k, nbA, nbB, ml);
            double simKL = HsicUnbiasedGeneral(mk, ml, n);
            double den = simKK * simLL;
            return double.IsNaN(den) ? double.NaN : den > 0 ? simKL / (Math.Sqrt(den) + DenominatorSlack) : 0.0;
        }
        finally { FeatureMatrix.Return(kk); FeatureMatrix.Return(ll); FeatureMatrix.Return(m1); FeatureMatrix.Return(m2); }
    }

    /// <summary>dst = src ⊙ mask, the mask holding (i,j) for j ∈ N1(i) (and j ∈ N2(i) when given).</summary>
    private static void Mask(ReadOnlySpan<double> src, int n, int k, ReadOnlySpan<int> n1, ReadOnlySpan<int> n2, Span<double> dst)
    {
        dst[..(n * n)].Clear();
        bool both = !n2.IsEmpty;
        for (int i = 0; i < n; i++)
        {
            var a = n1.Slice(i * k, k);
            foreach (int j in a)
            {
                if (both && n2.Slice(i * k, k).IndexOf(j) < 0) continue;
                dst[i * n + j] = src[i * n + j];
            }
        }
    }

    /// <summary>
    /// Song's unbiased HSIC for kernels that need not be symmetric (masked kernels are not):
    /// [Σ_ij K̃_ij L̃_ji + (𝟙ᵀK̃𝟙)(𝟙ᵀL̃𝟙)/((n−1)(n−2)) − (2/(n−2))·𝟙ᵀK̃L̃𝟙] / (n(n−3)).
    /// </summary>
    public static double HsicUnbiasedGeneral(ReadOnlySpan<double> k, ReadOnlySpan<double> l, int n)
    {
        var colK = FeatureMatrix.Rent(n);
        try
        {
            var ck = colK.AsSpan(0, n);
            ck.Clear();
            double trace = 0, sumK = 0, sumL = 0, cross = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    if (i == j) continue;
                    double kij = k[i * n + j];
                    ck[j] += kij;
                    trace += kij * l[j * n + i];
                }
            for (int j = 0; j < n; j++)
            {
                double rowL = 0;
                for (int t = 0; t < n; t++) if (t != j) rowL += l[j * n + t];
                sumK += ck[j]; sumL += rowL; cross += ck[j] * rowL;
            }
            return (trace + sumK * sumL / ((n - 1.0) * (n - 2.0)) - 2.0 / (n - 2.0) * cross) / (n * (n - 3.0));
        }
        finally { FeatureMatrix.Return(colK); }
    }
}
