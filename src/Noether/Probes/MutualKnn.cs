using Noether.Tensors;

namespace Noether.Probes;

/// <summary>
/// Mutual k-nearest-neighbour alignment (Platonic Representation Hypothesis; docs/probes.md#mutual-k-nn):
/// m_kNN(A,B) = (1/n) Σ_i |N_A(i) ∩ N_B(i)| / k, where N_X(i) are the k rows with the largest inner product
/// with row i, self excluded. Chance level for independent features is k/(n−1).
/// </summary>
public static class MutualKnn
{
    /// <summary>
    /// Mutual k-NN alignment. By default rows are L2-normalised first (cosine similarity) and nothing is
    /// clipped; <paramref name="clipQuantile"/> in (0,1] applies the PRH outlier clipping (docs/probes.md#preprocessing) before
    /// normalising. Self-matches are always excluded.
    /// </summary>
    public static double MutualKnnAlignment(Tensor<double> a, Tensor<double> b, int k = 10,
        bool normalizeRows = true, double? clipQuantile = null)
    {
        var (n, da, db) = FeatureMatrix.PairDims("MutualKnn.MutualKnnAlignment", a, b);
        RequireK(k, n);
        var na = NearestNeighbours(a, k, normalizeRows, clipQuantile);
        var nb = NearestNeighbours(b, k, normalizeRows, clipQuantile);
        return MutualKnnOfNeighbours(na, nb, n, k);
    }

    /// <summary>The expected m_kNN of independent features: k/(n−1) (hypergeometric mean, docs/probes.md#mutual-k-nn).</summary>
    public static double Chance(int n, int k) => k / (n - 1.0);

    /// <summary>m_kNN from two n×k neighbour index tables (row i lists N(i)).</summary>
    public static double MutualKnnOfNeighbours(ReadOnlySpan<int> na, ReadOnlySpan<int> nb, int n, int k)
    {
        var stamp = new int[n];
        long hits = 0;
        for (int i = 0; i < n; i++)
        {
            // Stamping with i+1 marks N_A(i) without clearing the array between rows.
            foreach (int j in na.Slice(i * k, k)) stamp[j] = i + 1;
            foreach (int j in nb.Slice(i * k, k)) if (stamp[j] == i + 1) hits++;
        }
        return hits / ((double)n * k);
    }

    /// <summary>
    /// The n×k table of each row's k nearest rows by inner product (after the optional clipping and
    /// normalisation), self excluded; ties keep the lower index.
    /// </summary>
    public static int[] NearestNeighbours(Tensor<double> x, int k, bool normalizeRows = true, double? clipQuantile = null)
    {
        var (n, d) = FeatureMatrix.Dims("MutualKnn.NearestNeighbours", x);
        RequireK(k, n);
        var s = FeatureMatrix.Rent(n * n);
        try
        {
            SimilarityMatrix(x, normalizeRows, clipQuantile, s);
            var result = new int[n * k];
            TopKRows(s, n, k, excludeSelf: true, result);
            return result;
        }
        finally { FeatureMatrix.Return(s); }
    }

    /// <summary>Writes S = X̂X̂ᵀ (n×n) of the preprocessed features into <paramref name="s"/>.</summary>
    internal static void SimilarityMatrix(Tensor<double> x, bool normalizeRows, double? clipQuantile, Span<double> s)
    {
        var (n, d) = (x.Shape[0], x.Shape[1]);
        var xs = FeatureMatrix.RentCopy(x.ReadOnlySpan, out _);
        try
        {
            if (clipQuantile is double q) FeatureMatrix.ClipOutliersRowQuantile(xs, n, d, q);
            if (normalizeRows) FeatureMatrix.NormalizeRows(xs, n, d);
            FeatureMatrix.Gram(xs, n, d, s);
        }
        finally { FeatureMatrix.Return(xs); }
    }

    /// <summary>
    /// Indices of the k largest entries of every row of the n×n matrix <paramref name="s"/>, in decreasing
    /// order, optionally excluding the diagonal. Insertion into a sorted k-buffer: O(n²) typical.
    /// </summary>
    internal static void TopKRows(ReadOnlySpan<double> s, int n, int k, bool excludeSelf, Span<int> result)
    {
        var vals = FeatureMatrix.Rent(k);
        try
        {
            for (int i = 0; i < n; i++)
            {
                var row = s.Slice(i * n, n);
                var idx = result.Slice(i * k, k);
                int filled = 0;
                for (int j = 0; j < n; j++)
                {
                    if (excludeSelf && j == i) continue;
                    double v = row[j];
                    if (double.IsNaN(v)) v = double.NegativeInfinity;
                    if (filled == k && v <= vals[k - 1]) continue;
                    int pos = filled < k ? filled++ : k - 1;
                    while (pos > 0 && vals[pos - 1] < v) { vals[pos] = vals[pos - 1]; idx[pos] = idx[pos - 1]; pos--; }
                    vals[pos] = v; idx[pos] = j;
                }
            }
        }
        finally { FeatureMatrix.Return(vals); }
    }

    internal static void RequireK(int k, int n)
    {
        if (k < 1 || k > n - 1)
            throw new ArgumentOutOfRangeException(nameof(k), $"k must be between 1 and n−1 = {n - 1} (self is excluded), got {k}");
    }
}
