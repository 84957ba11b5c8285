using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Noether.Tensors;

namespace Noether.Probes;

/// <summary>
/// CKA with Gaussian (RBF) kernels (Kornblith et al. 2019; docs/probes.md#cka):
/// K_ij = exp(−‖a_i − a_j‖² / (2·θ²·median_ij ‖a_i − a_j‖²)), then biased CKA of the centred kernels.
/// </summary>
public static class RbfCka
{
    /// <summary>
    /// RBF CKA with the bandwidth set relative to the median squared distance (docs/probes.md#cka; θ = 0.5 and 1.0
    /// are used in the literature). The median is taken over all n² entries, diagonal zeros included.
    /// </summary>
    public static double RbfCkaMedian(Tensor<double> a, Tensor<double> b, double threshold = 1.0)
    {
        if (!(threshold > 0)) throw new ArgumentOutOfRangeException(nameof(threshold), $"RBF threshold θ must be positive, got {threshold}");
        return Compute("RbfCka.RbfCkaMedian", a, b, threshold, sigma: 0);
    }

    /// <summary>RBF CKA with a fixed bandwidth: K_ij = exp(−‖a_i − a_j‖²/(2σ²)) (PRH uses σ = 1 on L2-normalised rows).</summary>
    public static double RbfCkaFixedSigma(Tensor<double> a, Tensor<double> b, double sigma = 1.0)
    {
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), $"RBF σ must be positive, got {sigma}");
        return Compute("RbfCka.RbfCkaFixedSigma", a, b, 0, sigma);
    }

    private static double Compute(string op, Tensor<double> a, Tensor<double> b, double threshold, double sigma)
    {
        var (n, da, db) = FeatureMatrix.PairDims(op, a, b);
        var k = FeatureMatrix.Rent(n * n);
        var l = FeatureMatrix.Rent(n * n);
        try
        {
            RbfKernel(a.ReadOnlySpan, n, da, k, threshold, sigma);
            RbfKernel(b.ReadOnlySpan, n, db, l, threshold, sigma);
            return Cka.CkaOfKernels(k.AsSpan(0, n * n), l.AsSpan(0, n * n), n);
        }
        finally { FeatureMatrix.Return(k); FeatureMatrix.Return(l); }
    }

    /// <summary>
    /// Writes the n×n RBF kernel of X into <paramref name="k"/>. With σ &gt; 0 the bandwidth is σ;
    /// otherwise 2σ² = 2θ²·median squared distance.
    /// </summary>
    public static void RbfKernel(ReadOnlySpan<double> x, int n, int d, Span<double> k, double threshold, double sigma)
    {
        var nn = n * n;
        FeatureMatrix.Gram(x, n, d, k);
        var diag = FeatureMatrix.Rent(n);
        try
        {
            for (int i = 0; i < n; i++) diag[i] = k[i * n + i];
            // ‖a_i − a_j‖² = K_ii + K_jj − 2K_ij, clamped at 0 against rounding.
            for (int i = 0; i < n; i++)
            {
                var row = k.Slice(i * n, n);
                for (int j = 0; j < n; j++) row[j] = Math.Max(0.0, diag[i] + diag[j] - 2 * row[j]);
                row[i] = 0;
            }
        }
        finally { FeatureMatrix.Return(diag); }
        double twoSigma2;
        if (sigma > 0) twoSigma2 = 2 * sigma * sigma;
        else
        {
            var copy = FeatureMatrix.RentCopy(k[..nn], out _);
            try
            {
                var s = copy.AsSpan(0, nn);
                s.Sort();
                double median = nn % 2 == 1 ? s[nn / 2] : 0.5 * (s[nn / 2 - 1] + s[nn / 2]);
                twoSigma2 = 2 * threshold * threshold * median;
            }
            finally { FeatureMatrix.Return(copy); }
            if (!(twoSigma2 > 0)) twoSigma2 = 1.0; // all points equal: every distance is 0 and K ≡ 1
        }
        TensorPrimitives.Multiply(k[..nn], -1.0 / twoSigma2, k[..nn]);
        TensorPrimitives.Exp(k[..nn], k[..nn]);
    }
}
