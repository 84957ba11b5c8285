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
    /// normalisation), self excluded, each row's k in increasing index order; ties at the k-th value keep the lower indices.
    /// </summary>
    public static int[] NearestNeighbours(Tensor<double> x, int k, bool normalizeRows = true, double? clipQuantile = null)
    {
        var result = new int[x.Shape[0] * k];
        NearestNeighbours(x, k, result, normalizeRows, clipQuantile);
        return result;
    }

    /// <summary><see cref="NearestNeighbours(Tensor{double}, int, bool, double?)"/> into the first n·k entries of <paramref name="result"/>.</summary>
    public static void NearestNeighbours(Tensor<double> x, int k, Span<int> result, bool normalizeRows = true, double? clipQuantile = null)
    {
        var (n, d) = FeatureMatrix.Dims("MutualKnn.NearestNeighbours", x);
        RequireK(k, n);
        var s = FeatureMatrix.Rent(n * n);
        try
        {
            SimilarityMatrix(x, normalizeRows, clipQuantile, s);
            TopKRows(s, n, k, excludeSelf: true, result[..(n * k)]);
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
    /// Indices of the k largest entries of every row of the n×n matrix <paramref name="s"/>, in increasing index
    /// order, optionally excluding the diagonal; NaN counts as −∞ and ties at the k-th value keep the lower indices
    /// (the set of the first k of a stable sort by decreasing value). Every use needs only the set. The k-th largest
    /// value t and the count above it come from a selection, then one pass in index order collects the set: O(n) per row.
    /// </summary>
    internal static void TopKRows(ReadOnlySpan<double> s, int n, int k, bool excludeSelf, Span<int> result)
    {
        var scratch = FeatureMatrix.Rent(n);
        Span<int> histogram = stackalloc int[Buckets];
        try
        {
            for (int i = 0; i < n; i++)
            {
                var row = s.Slice(i * n, n);
                int self = excludeSelf ? i : -1, m = 0;
                for (int j = 0; j < n; j++)
                    if (j != self) scratch[m++] = Key(row[j]);
                var (t, above) = KthLargest(scratch.AsSpan(0, m), k, histogram);
                var idx = result.Slice(i * k, k);
                int ties = k - above, filled = 0;
                for (int j = 0; j < n && filled < k; j++)
                {
                    if (j == self) continue;
                    double v = Key(row[j]);
                    if (v > t || (v == t && ties-- > 0)) idx[filled++] = j;
                }
            }
        }
        finally { FeatureMatrix.Return(scratch); }
    }

    private static double Key(double v) => double.IsNaN(v) ? double.NegativeInfinity : v;

    private const int Buckets = 256;

    /// <summary>
    /// The k-th largest of <paramref name="v"/> (no NaN; reorders v) and how many values are strictly larger. A histogram over equal-width buckets between the
    /// smallest finite and the largest value (a monotone map, so every value in a higher bucket is strictly larger)
    /// finds the bucket holding it and how many values lie above; only that bucket's values go through the selection.
    /// </summary>
    private static (double Value, int Above) KthLargest(Span<double> v, int k, Span<int> histogram)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (double x in v)
        {
            if (x > double.NegativeInfinity && x < lo) lo = x;
            if (x > hi) hi = x;
        }
        double scale = (Buckets - 1) / (hi - lo);
        if (!(hi > lo) || !double.IsFinite(scale) || scale <= 0) return Select(v, k);
        histogram.Clear();
        foreach (double x in v) histogram[Bucket(x, lo, scale)]++;
        int b = Buckets - 1, above = 0;
        while (above + histogram[b] < k) above += histogram[b--];
        int count = 0;
        foreach (double x in v)
            if (Bucket(x, lo, scale) == b) v[count++] = x;
        var (value, greater) = Select(v[..count], k - above);
        return (value, above + greater);
    }

    /// <summary>Bucket of x in [0, Buckets): non-decreasing in x (−∞ and values below lo in 0).</summary>
    private static int Bucket(double x, double lo, double scale)
    {
        double f = (x - lo) * scale;
        return f >= 1 ? (int)Math.Min(f, Buckets - 1) : 0;
    }

    /// <summary>
    /// The k-th largest of <paramref name="v"/> (no NaN) and how many values are strictly larger, by quickselect with a
    /// three-way partition; reorders v. Everything left of the live range is larger than the answer, everything right of it smaller.
    /// </summary>
    private static (double Value, int Above) Select(Span<double> v, int k)
    {
        int lo = 0, hi = v.Length - 1, target = k - 1;
        while (true)
        {
            if (lo == hi) return (v[lo], lo);
            double a = v[lo], b = v[(lo + hi) >>> 1], c = v[hi];
            double pivot = Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
            // Descending three-way partition: [lo, gt) > pivot, [gt, i) == pivot, (lt, hi] < pivot.
            int gt = lo, i = lo, lt = hi;
            while (i <= lt)
            {
                double x = v[i];
                if (x > pivot) { v[i] = v[gt]; v[gt] = x; gt++; i++; }
                else if (x < pivot) { v[i] = v[lt]; v[lt] = x; lt--; }
                else i++;
            }
            if (target < gt) hi = gt - 1;
            else if (target <= lt) return (pivot, gt);
            else lo = lt + 1;
        }
    }

    internal static void RequireK(int k, int n)
    {
        if (k < 1 || k > n - 1)
            throw new ArgumentOutOfRangeException(nameof(k), $"k must be between 1 and n−1 = {n - 1} (self is excluded), got {k}");
    }
}
