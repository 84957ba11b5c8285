using Noether.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Noether.Probes;

/// <summary>
/// Noether charges of exponential symmetries (docs/experiments/noise-equilibrium.md#charge-identity): for ℓ(θ) = ℓ(e^{λA}θ) the
/// charge C_A(θ) = θᵀAθ is conserved by gradient flow, and one SGD step with L2 γ obeys exactly
/// C_A(θ') = (1−2ηγ)² C_A(θ) + η² g_Bᵀ A g_B.
/// </summary>
public static class SymmetryCharge
{
    /// <summary>C_A(θ) = θᵀAθ for a dense symmetric generator A (p×p, row-major).</summary>
    public static double Charge(ReadOnlySpan<double> theta, ReadOnlySpan<double> generator)
    {
        int p = theta.Length;
        if (generator.Length != p * p)
            throw new ShapeMismatchException($"SymmetryCharge.Charge: generator has {generator.Length} entries, expected {p}×{p} for {p} parameters");
        double c = 0;
        for (int i = 0; i < p; i++) c += theta[i] * TensorPrimitives.Dot(generator.Slice(i * p, p), theta);
        return c;
    }

    /// <summary>Rescaling charge of a block (u, w) → (e^{−λ}u, e^{λ}w): C = ‖w‖² − ‖u‖² (A = diag(−I_u, +I_w)).</summary>
    public static double RescalingCharge(ReadOnlySpan<double> w, ReadOnlySpan<double> u)
        => TensorPrimitives.SumOfSquares(w) - TensorPrimitives.SumOfSquares(u);

    /// <summary>
    /// Matrix charge of a two-layer linear net f = UWx (GL(h) symmetry W → e^{λS}W, U → Ue^{−λS}):
    /// C = WWᵀ − UᵀU (h×h), W h×d, U o×h.
    /// </summary>
    public static Tensor<double> TwoLayerChargeMatrix(Tensor<double> w, Tensor<double> u)
    {
        const string op = "SymmetryCharge.TwoLayerChargeMatrix";
        var c = ProbeMath.MatMul(op, w, false, w, true);
        var utu = ProbeMath.MatMul(op, u, true, u, false);
        Shapes.RequireSameShape(op, c, utu);
        TensorPrimitives.Subtract(c.Span, utu.ReadOnlySpan, c.Span);
        return c;
    }

    /// <summary>Exact one-step prediction (fact 3): C_A(θ − η(g + 2γθ)) = (1−2ηγ)² C_A(θ) + η² gᵀAg.</summary>
    public static double PredictedChargeAfterStep(double charge, double gradientQuadraticForm, double learningRate, double weightDecay)
    {
        double s = 1 - 2 * learningRate * weightDecay;
        return s * s * charge + learningRate * learningRate * gradientQuadraticForm;
    }
}
