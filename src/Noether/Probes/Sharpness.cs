using MathNet.Numerics.LinearAlgebra;
using Noether.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Noether.Probes;

/// <summary>A Hutchinson trace estimate with its standard error over probes.</summary>
public sealed record TraceEstimate(double Trace, double StandardError, int Probes);

/// <summary>
/// Sharpness of the loss at θ (docs/experiments/noise-equilibrium.md#h-d-setting-warmup, docs/experiments/entropic-balance.md#claim): Hessian trace and top eigenvalue, for any model
/// given as a gradient function. Hessian-vector products are central differences of gradients,
/// Hv ≈ (∇L(θ+εv) − ∇L(θ−εv))/(2ε), exact for quadratic losses up to rounding.
/// </summary>
public static class Sharpness
{
    /// <summary>Hv by central gradient differences; writes into <paramref name="result"/> (length p).</summary>
    public static void HessianVectorProduct(Func<double[], double[]> gradient, ReadOnlySpan<double> theta, ReadOnlySpan<double> v,
        Span<double> result, double epsilon = 1e-4)
    {
        int p = theta.Length;
        if (v.Length != p || result.Length != p)
            throw new ShapeMismatchException($"Sharpness.HessianVectorProduct: θ has {p} entries but v has {v.Length} and the result {result.Length}");
        var shifted = new double[p];
        for (int i = 0; i < p; i++) shifted[i] = theta[i] + epsilon * v[i];
        var plus = gradient(shifted);
        for (int i = 0; i < p; i++) shifted[i] = theta[i] - epsilon * v[i];
        var minus = gradient(shifted);
        if (plus.Length != p || minus.Length != p)
            throw new ShapeMismatchException($"Sharpness.HessianVectorProduct: the gradient function returned {plus.Length} entries for {p} parameters");
        for (int i = 0; i < p; i++) result[i] = (plus[i] - minus[i]) / (2 * epsilon);
    }

    /// <summary>
    /// Hutchinson estimator Tr H ≈ (1/R) Σ_r v_rᵀHv_r with Rademacher probes v_r drawn from
    /// <paramref name="rng"/>; unbiased, its standard error is reported.
    /// </summary>
    public static TraceEstimate HutchinsonTrace(Func<double[], double[]> gradient, double[] theta, int probes, Rng rng, double epsilon = 1e-4)
    {
        if (probes < 1) throw new ArgumentOutOfRangeException(nameof(probes), $"need at least one probe vector, got {probes}");
        int p = theta.Length;
        var v = new double[p];
        var hv = new double[p];
        double sum = 0, sumSq = 0;
        for (int r = 0; r < probes; r++)
        {
            for (int i = 0; i < p; i++) v[i] = (rng.NextUInt64() & 1) == 0 ? -1.0 : 1.0;
            HessianVectorProduct(gradient, theta, v, hv, epsilon);
            double q = TensorPrimitives.Dot<double>(v, hv);
            sum += q; sumSq += q * q;
        }
        double mean = sum / probes;
        double se = probes > 1 ? Math.Sqrt(Math.Max(0, (sumSq - probes * mean * mean) / (probes - 1)) / probes) : double.NaN;
        return new TraceEstimate(mean, se, probes);
    }

    /// <summary>The full Hessian by finite differences of gradients along each coordinate (p gradient pairs), symmetrised. For small p.</summary>
    public static Tensor<double> ExactHessian(Func<double[], double[]> gradient, double[] theta, double epsilon = 1e-4)
    {
        int p = theta.Length;
        var h = new Tensor<double>(p, p);
        var e = new double[p];
        var col = new double[p];
        for (int j = 0; j < p; j++)
        {
            e[j] = 1;
            HessianVectorProduct(gradient, theta, e, col, epsilon);
            e[j] = 0;
            for (int i = 0; i < p; i++) h[i, j] = col[i];
        }
        for (int i = 0; i < p; i++)
            for (int j = i + 1; j < p; j++)
            {
                double s = 0.5 * (h[i, j] + h[j, i]);
                h[i, j] = s; h[j, i] = s;
            }
        return h;
    }

    /// <summary>Tr H from <see cref="ExactHessian"/> (p gradient pairs); exact up to finite-difference error.</summary>
    public static double ExactTrace(Func<double[], double[]> gradient, double[] theta, double epsilon = 1e-4)
    {
        var h = ExactHessian(gradient, theta, epsilon);
        double t = 0;
        for (int i = 0; i < theta.Length; i++) t += h[i, i];
        return t;
    }

    /// <summary>Largest-|λ| eigenvalue of the Hessian by power iteration on Hessian-vector products (Rayleigh quotient at the end).</summary>
    public static double TopEigenvalue(Func<double[], double[]> gradient, double[] theta, Rng rng, int iterations = 100,
        double tolerance = 1e-10, double epsilon = 1e-4)
    {
        int p = theta.Length;
        var v = new double[p];
        var hv = new double[p];
        rng.FillNormal<double>(v, 0, 1);
        Normalize(v);
        double lambda = 0;
        for (int it = 0; it < iterations; it++)
        {
            HessianVectorProduct(gradient, theta, v, hv, epsilon);
            double next = TensorPrimitives.Dot<double>(v, hv);
            double norm = TensorPrimitives.Norm<double>(hv);
            if (norm == 0) return 0;
            for (int i = 0; i < p; i++) v[i] = hv[i] / norm;
            bool done = Math.Abs(next - lambda) <= tolerance * Math.Max(1, Math.Abs(next));
            lambda = next;
            if (done && it > 0) break;
        }
        return lambda;
    }

    /// <summary>Top eigenvalue of a small Hessian exactly: <see cref="ExactHessian"/> then a symmetric eigen-solve.</summary>
    public static double ExactTopEigenvalue(Func<double[], double[]> gradient, double[] theta, double epsilon = 1e-4)
    {
        var h = ProbeMath.ToMatrix(ExactHessian(gradient, theta, epsilon));
        return h.Evd(Symmetricity.Symmetric).EigenValues.Select(z => z.Real).Max();
    }

    /// <summary>
    /// Closed-form Tr H of a two-layer linear net f = UWx under L = (1/N) Σ_n ½‖UWx_n − y_n‖² (W: h×d, U: o×h;
    /// docs/experiments/noise-equilibrium.md#h-d-setting-warmup): Tr(Σ̂_x)‖U‖²_F + o·Tr(WΣ̂_xWᵀ), Σ̂_x = XᵀX/N (d×d).
    /// Exact at every θ, not only at a minimum: f is linear in each single weight, so the residual term
    /// r·∂²f/∂θ_i² of every diagonal Hessian entry vanishes and the diagonal is the Gauss–Newton one.
    /// </summary>
    public static double TwoLayerLinearTrace(Tensor<double> w, Tensor<double> u, Tensor<double> secondMoment)
    {
        int h = w.Shape[0], d = w.Shape[1], o = u.Shape[0];
        double traceSigma = 0, uu = 0, wsw = 0;
        for (int j = 0; j < d; j++) traceSigma += secondMoment[j, j];
        foreach (var v in u.ReadOnlySpan) uu += v * v;
        for (int r = 0; r < h; r++)
            for (int j = 0; j < d; j++)
            {
                double row = 0;
                for (int l = 0; l < d; l++) row += secondMoment[j, l] * w[r, l];
                wsw += w[r, j] * row;
            }
        return traceSigma * uu + o * wsw;
    }

    private static void Normalize(double[] v)
    {
        double n = TensorPrimitives.Norm<double>(v);
        if (n > 0) TensorPrimitives.Multiply<double>(v, 1.0 / n, v);
    }
    /// <summary>
    /// The smallest <see cref="TwoLayerLinearTrace"/> over the symmetry orbit (UG⁻¹, GW), G ∈ GL(h), of a two-layer linear net:
    /// with a = Tr Σ̂_x and b = o, inf_G a‖UG⁻¹‖² + b‖GWΣ̂^½‖² = 2√(ab)·‖UWΣ̂^½‖_* (the variational form of the nuclear norm),
    /// reached where a·UᵀU = b·WΣ̂Wᵀ: the balanced point, which is the noise equilibrium under isotropic label noise
    /// (docs/experiments/noise-equilibrium.md#h-dwarmup-rescues). Depends on θ only through the product UW.
    /// </summary>
    public static double TwoLayerLinearOrbitMinimumTrace(Tensor<double> w, Tensor<double> u, Tensor<double> secondMoment)
    {
        int h = w.Shape[0], d = w.Shape[1], o = u.Shape[0];
        var sigma = Matrix<double>.Build.Dense(d, d, (i, j) => secondMoment[i, j]);
        var evd = sigma.Evd(Symmetricity.Symmetric);
        var root = evd.EigenVectors * Matrix<double>.Build.DiagonalOfDiagonalVector(evd.EigenValues.Map(z => Math.Sqrt(Math.Max(z.Real, 0)))) * evd.EigenVectors.Transpose();
        var product = Matrix<double>.Build.Dense(o, d, (i, j) =>
        {
            double v = 0;
            for (int r = 0; r < h; r++) v += u[i, r] * w[r, j];
            return v;
        });
        double nuclear = (product * root).Svd(computeVectors: false).S.Sum();
        return 2 * Math.Sqrt(sigma.Trace() * o) * nuclear;
    }
}
