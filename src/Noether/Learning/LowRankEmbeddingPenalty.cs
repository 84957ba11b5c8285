using System.Numerics;
using Noether.Nn;

namespace Noether.Learning;

/// <summary>
/// The regulariser of Liang et al.'s fix (arXiv 2501.18797; docs/experiments/compositional.md#full-profile-extras) on a
/// <see cref="LowRankEmbedding{T}"/>, summed over both factors and every token t:
/// λ_ent·Σ_t H(λ_t) + λ_var·Σ_t [Σ_columns Var(L_t[:, j]) + Σ_rows Var(R_t[j, :])], where
/// H(λ) = −Σ_c p_c ln p_c with p_c = max(λ_c²/Σλ², 1e-8) pushes each spectrum to rank 1, and the
/// (unbiased) variances of the raw factor vectors push them towards constants, so that only the
/// direction the loss needs survives: a stripe. Added to the gradients after the backward pass.
/// </summary>
public static class LowRankEmbeddingPenalty
{
    private const double ProbabilityFloor = 1e-8;

    /// <summary>Adds the penalty's gradient for one member to the layer's parameter gradients and returns the penalty.</summary>
    public static double AddGradient<T>(LowRankEmbedding<T> layer, int member, double entropyWeight, double varianceWeight)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int g = layer.Size, gg = g * g;
        double total = 0;
        var grad = new double[g];
        for (int a = 0; a < 2; a++)
        {
            var lam = layer.Spectrum[a].Value.SliceSpan(member); var glam = layer.Spectrum[a].Grad.SliceSpan(member);
            var l = layer.Left[a].Value.SliceSpan(member); var gl = layer.Left[a].Grad.SliceSpan(member);
            var r = layer.Right[a].Value.SliceSpan(member); var gr = layer.Right[a].Grad.SliceSpan(member);
            for (int t = 0; t < layer.Tokens; t++)
            {
                if (entropyWeight != 0)
                {
                    total += entropyWeight * SpectralEntropy(lam.Slice(t * g, g), grad);
                    for (int c = 0; c < g; c++) glam[t * g + c] += T.CreateChecked(entropyWeight * grad[c]);
                }
                if (varianceWeight != 0)
                {
                    for (int j = 0; j < g; j++)
                    {
                        total += varianceWeight * Variance(l.Slice(t * gg + j, gg - j), g, g, gl.Slice(t * gg + j, gg - j), varianceWeight);
                        total += varianceWeight * Variance(r.Slice(t * gg + j * g, g), g, 1, gr.Slice(t * gg + j * g, g), varianceWeight);
                    }
                }
            }
        }
        return total;
    }

    /// <summary>H(λ) with p_c = max(λ_c²/Σλ², 1e-8); writes ∂H/∂λ into <paramref name="grad"/> (the floor has zero slope).</summary>
    public static double SpectralEntropy<T>(ReadOnlySpan<T> lambda, Span<double> grad) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int g = lambda.Length;
        double s = 0;
        for (int c = 0; c < g; c++) s += double.CreateChecked(lambda[c] * lambda[c]);
        if (s == 0) { grad[..g].Clear(); return -g * ProbabilityFloor * Math.Log(ProbabilityFloor); }
        double h = 0, mean = 0;
        Span<double> dh = stackalloc double[g];
        for (int c = 0; c < g; c++)
        {
            double raw = double.CreateChecked(lambda[c] * lambda[c]) / s;
            double p = Math.Max(raw, ProbabilityFloor);
            h -= p * Math.Log(p);
            dh[c] = raw > ProbabilityFloor ? -(Math.Log(p) + 1) : 0;
            mean += dh[c] * raw;
        }
        // ∂p_c/∂λ_k = (2λ_k/s)(δ_ck − p_c) for the unclamped p, so ∂H/∂λ_k = (2λ_k/s)(dh_k − Σ_c dh_c p_c).
        for (int k = 0; k < g; k++) grad[k] = 2 * double.CreateChecked(lambda[k]) / s * (dh[k] - mean);
        return h;
    }

    /// <summary>
    /// Unbiased variance of <paramref name="count"/> values read with <paramref name="stride"/> from <paramref name="v"/>;
    /// adds weight·∂Var/∂v = weight·2(v − mean)/(count − 1) to <paramref name="grad"/> at the same positions.
    /// </summary>
    private static double Variance<T>(ReadOnlySpan<T> v, int count, int stride, Span<T> grad, double weight) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double mean = 0;
        for (int i = 0; i < count; i++) mean += double.CreateChecked(v[i * stride]);
        mean /= count;
        double ss = 0;
        for (int i = 0; i < count; i++)
        {
            double d = double.CreateChecked(v[i * stride]) - mean;
            ss += d * d;
            grad[i * stride] += T.CreateChecked(weight * 2 * d / (count - 1));
        }
        return ss / (count - 1);
    }
}
