using Noether.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Noether.Probes;

/// <summary>
/// Heterosynaptic consistency score φ̂ (docs/experiments/heterosynaptic.md#protocol): with P = [p_n(t′)] the potentials delivered by the
/// learning pathway and Gh = [∂ℓ_n/∂h] the true gradients (both [B×hidden]), heterosynaptic stability
/// means P ≈ φ·Gh. φ̂ &gt; 0 means the rule descends the loss; dynamical consistency means all φ̂_i share a sign.
/// </summary>
public static class ConsistencyScore
{
    /// <summary>Global φ̂ = ⟨P, Gh⟩_F / ‖Gh‖_F² (0 when Gh = 0). Exactly 1 for backprop (P = Gh).</summary>
    public static double PhiHat(Tensor<double> p, Tensor<double> gh)
    {
        Shapes.RequireSameShape("ConsistencyScore.PhiHat", p, gh);
        double den = TensorPrimitives.SumOfSquares(gh.ReadOnlySpan);
        return Normalised.Quotient(TensorPrimitives.Dot(p.ReadOnlySpan, gh.ReadOnlySpan), den);
    }

    /// <summary>Per-neuron φ̂_i = Σ_n P[n,i]·Gh[n,i] / Σ_n Gh[n,i]² (NaN for a neuron whose gradient is zero on the batch).</summary>
    public static double[] PhiHatPerNeuron(Tensor<double> p, Tensor<double> gh)
    {
        Shapes.RequireSameShape("ConsistencyScore.PhiHatPerNeuron", p, gh);
        var (b, hidden) = FeatureMatrix.Dims("ConsistencyScore.PhiHatPerNeuron", gh);
        var num = new double[hidden];
        var den = new double[hidden];
        for (int n = 0; n < b; n++)
            for (int i = 0; i < hidden; i++)
            {
                double g = gh[n, i];
                num[i] += p[n, i] * g; den[i] += g * g;
            }
        for (int i = 0; i < hidden; i++) num[i] = den[i] > 0 ? num[i] / den[i] : double.NaN;
        return num;
    }

    /// <summary>Dynamical-consistency score: the fraction of neurons (with defined φ̂_i) whose φ̂_i &gt; 0.</summary>
    public static double PositiveFraction(ReadOnlySpan<double> phiPerNeuron)
    {
        int defined = 0, positive = 0;
        foreach (var v in phiPerNeuron)
        {
            if (double.IsNaN(v)) continue;
            defined++;
            if (v > 0) positive++;
        }
        return defined == 0 ? 0.0 : positive / (double)defined;
    }
}
