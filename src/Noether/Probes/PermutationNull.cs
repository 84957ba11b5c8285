using Noether.Tensors;

namespace Noether.Probes;

/// <summary>A score with its permutation null (docs/probes.md#permutation-null, "Aristotelian" calibration).</summary>
/// <param name="Score">the metric on the true pairing of rows.</param>
/// <param name="NullMean">mean of the metric over row-shuffled B.</param>
/// <param name="NullSd">sample standard deviation of those null scores.</param>
/// <param name="Z">(Score − NullMean)/NullSd (±∞ or NaN when NullSd = 0).</param>
/// <param name="P">one-sided p-value (1 + #{null ≥ score})/(1 + permutations).</param>
/// <param name="Permutations">number of shuffles.</param>
public sealed record NullStats(double Score, double NullMean, double NullSd, double Z, double P, int Permutations);

/// <summary>
/// Permutation null for any representation metric: shuffle the rows of B (breaking the input pairing
/// while keeping each set's geometry) R times and compare the true score with the null distribution.
/// </summary>
public static class PermutationNull
{
    /// <summary>Scores the metric on (A, B) and on (A, P_r·B) for R random row permutations drawn from <paramref name="rng"/>.</summary>
    public static NullStats RowPermutationNull(Tensor<double> a, Tensor<double> b, Func<Tensor<double>, Tensor<double>, double> metric,
        int permutations, Rng rng)
    {
        if (permutations < 1) throw new ArgumentOutOfRangeException(nameof(permutations), $"need at least one permutation, got {permutations}");
        var (n, _, d) = FeatureMatrix.PairDims("PermutationNull.RowPermutationNull", a, b);
        double score = metric(a, b);
        var shuffled = new Tensor<double>(n, d);
        var perm = new int[n];
        var src = b.ReadOnlySpan;
        double sum = 0, sumSq = 0; int atLeast = 0;
        for (int r = 0; r < permutations; r++)
        {
            for (int i = 0; i < n; i++) perm[i] = i;
            rng.Shuffle(perm);
            var dst = shuffled.Span;
            for (int i = 0; i < n; i++) src.Slice(perm[i] * d, d).CopyTo(dst.Slice(i * d, d));
            double s = metric(a, shuffled);
            sum += s; sumSq += s * s;
            if (s >= score) atLeast++;
        }
        double mean = sum / permutations;
        double sd = permutations > 1 ? Math.Sqrt(Math.Max(0, (sumSq - permutations * mean * mean) / (permutations - 1))) : 0.0;
        double z = (score - mean) / sd;
        return new NullStats(score, mean, sd, z, (1.0 + atLeast) / (1.0 + permutations), permutations);
    }
}
