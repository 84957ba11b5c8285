using Noether.Tensors;

namespace Noether.Probes;

/// <summary>Rank measures of a weight or representation matrix (docs/experiments/symmetry-hierarchy.md#protocol, docs/experiments/syre.md#protocol).</summary>
public static class Rank
{
    /// <summary>Singular values σ₁ ≥ σ₂ ≥ … of a matrix.</summary>
    public static double[] SingularValues(Tensor<double> w) => ProbeMath.SingularValues(w);

    /// <summary>
    /// Rank with an absolute tolerance: #{k : σ_k &gt; tolerance}. Used where the whole spectrum may vanish
    /// (the weight-decay rank ladder of docs/experiments/symmetry-hierarchy.md#protocol ends at rank 0), so a tolerance relative to σ₁ would not do.
    /// </summary>
    public static int RankAbove(Tensor<double> w, double tolerance)
    {
        if (!(tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), $"tolerance must be non-negative, got {tolerance}");
        return ProbeMath.SingularValues(w).Count(v => v > tolerance);
    }

    /// <summary>Numerical rank: #{k : σ_k &gt; relativeTolerance·σ₁} (default 1e-3, as in docs/experiments/syre.md#protocol); 0 for a zero matrix.</summary>
    public static int NumericalRank(Tensor<double> w, double relativeTolerance = 1e-3)
    {
        var s = ProbeMath.SingularValues(w);
        if (s.Length == 0 || !(s[0] > 0)) return 0;
        return s.Count(v => v > relativeTolerance * s[0]);
    }

    /// <summary>
    /// Effective rank (Roy and Vetterli 2007): exp(−Σ p_k ln p_k) with p_k = σ_k/Σσ, the exponential of the
    /// spectral entropy. Equals r for r equal non-zero singular values; 0 for a zero matrix.
    /// </summary>
    public static double EffectiveRank(Tensor<double> w)
    {
        var s = ProbeMath.SingularValues(w);
        double total = s.Sum();
        if (!(total > 0)) return 0;
        double h = 0;
        foreach (var v in s)
        {
            double p = v / total;
            if (p > 0) h -= p * Math.Log(p);
        }
        return Math.Exp(h);
    }
}
