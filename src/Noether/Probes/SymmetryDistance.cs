using Noether.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Noether.Probes;

/// <summary>Pairwise distances between the neurons of a layer (permutation symmetry).</summary>
/// <param name="MinDistance">min over i&lt;j of ‖w_i − w_j‖.</param>
/// <param name="MaxDistance">max over i&lt;j of ‖w_i − w_j‖.</param>
/// <param name="MinRelative">MinDistance / mean ‖w_i‖ (docs/experiments/syre.md#gvanilla-symmetric).</param>
/// <param name="MaxRelative">MaxDistance / mean ‖w_i‖.</param>
/// <param name="NearestPair">the (i, j) attaining the minimum.</param>
/// <param name="DeltaG">distance to the nearest permutation-symmetric state, MinDistance/√2, divided by ‖W‖_F (docs/experiments/symmetry-hierarchy.md#claim).</param>
public sealed record PermutationDistanceResult(double MinDistance, double MaxDistance, double MinRelative, double MaxRelative, (int I, int J) NearestPair, double DeltaG);

/// <summary>
/// Symmetry-breaking distances ΔG (docs/experiments/symmetry-hierarchy.md#claim, docs/experiments/syre.md#protocol): how far a layer is from its nearest
/// permutation-, rotation- or rescaling-symmetric state, and dead-neuron counts.
/// </summary>
public static class SymmetryDistance
{
    /// <summary>
    /// Permutation distance: rows of <paramref name="neurons"/> are the neurons' parameter vectors (incoming
    /// weights, optionally concatenated with outgoing ones). Swapping neurons i and j fixes the state where
    /// w_i = w_j, at distance ‖w_i − w_j‖/√2.
    /// </summary>
    public static PermutationDistanceResult PermutationDistance(Tensor<double> neurons)
    {
        var (h, d) = FeatureMatrix.Dims("SymmetryDistance.PermutationDistance", neurons);
        if (h < 2) throw new ArgumentException($"SymmetryDistance.PermutationDistance: need at least 2 neurons (rows), got {h}");
        var w = neurons.ReadOnlySpan;
        double min = double.PositiveInfinity, max = 0, meanNorm = 0;
        (int, int) pair = (0, 1);
        for (int i = 0; i < h; i++) meanNorm += TensorPrimitives.Norm(w.Slice(i * d, d)) / h;
        for (int i = 0; i < h; i++)
            for (int j = i + 1; j < h; j++)
            {
                double dist = TensorPrimitives.Distance(w.Slice(i * d, d), w.Slice(j * d, d));
                if (dist < min) { min = dist; pair = (i, j); }
                if (dist > max) max = dist;
            }
        double total = TensorPrimitives.Norm(w);
        return new PermutationDistanceResult(min, max,
            meanNorm > 0 ? min / meanNorm : 0, meanNorm > 0 ? max / meanNorm : 0, pair,
            total > 0 ? min / Math.Sqrt(2) / total : 0);
    }

    /// <summary>Rotation / low-rank distance: σ_{k+1}(W), the spectral-norm distance to the nearest rank-k matrix (0 if rank ≤ k).</summary>
    public static double RotationDistance(Tensor<double> w, int k)
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), $"rank k must be non-negative, got {k}");
        var s = ProbeMath.SingularValues(w);
        return k < s.Length ? s[k] : 0.0;
    }

    /// <summary>
    /// Rescaling distance per hidden neuron: ‖(w_i, u_i)‖, the distance to the dead (rescaling-symmetric)
    /// state w_i = 0, u_i = 0, with w_i row i of W1 [hidden×in] and u_i column i of W2 [out×hidden].
    /// </summary>
    public static double[] RescalingDistances(Tensor<double> w1, Tensor<double> w2)
    {
        var (hidden, din) = FeatureMatrix.Dims("SymmetryDistance.RescalingDistances", w1);
        var (dout, hidden2) = FeatureMatrix.Dims("SymmetryDistance.RescalingDistances", w2);
        if (hidden != hidden2)
            throw new ShapeMismatchException($"SymmetryDistance.RescalingDistances: W1 {Tensor<double>.ShapeText(w1.Shape)} rows must match W2 {Tensor<double>.ShapeText(w2.Shape)} columns");
        var r = new double[hidden];
        for (int i = 0; i < hidden; i++)
        {
            double s = TensorPrimitives.SumOfSquares(w1.ReadOnlySpan.Slice(i * din, din));
            for (int o = 0; o < dout; o++) s += w2[o, i] * w2[o, i];
            r[i] = Math.Sqrt(s);
        }
        return r;
    }

    /// <summary>Dead neurons by weights (docs/experiments/syre.md#protocol): #{i : ‖w_i‖·‖u_i‖ &lt; ε}, W1 [hidden×in], W2 [out×hidden].</summary>
    public static int DeadNeuronCount(Tensor<double> w1, Tensor<double> w2, double epsilon = 1e-8)
    {
        var (hidden, din) = FeatureMatrix.Dims("SymmetryDistance.DeadNeuronCount", w1);
        var (dout, hidden2) = FeatureMatrix.Dims("SymmetryDistance.DeadNeuronCount", w2);
        if (hidden != hidden2)
            throw new ShapeMismatchException($"SymmetryDistance.DeadNeuronCount: W1 {Tensor<double>.ShapeText(w1.Shape)} rows must match W2 {Tensor<double>.ShapeText(w2.Shape)} columns");
        int dead = 0;
        for (int i = 0; i < hidden; i++)
        {
            double wi = TensorPrimitives.Norm(w1.ReadOnlySpan.Slice(i * din, din));
            double ui = 0;
            for (int o = 0; o < dout; o++) ui += w2[o, i] * w2[o, i];
            if (wi * Math.Sqrt(ui) < epsilon) dead++;
        }
        return dead;
    }

    /// <summary>Dead neurons by activity: columns of h [B×hidden] that are exactly zero on every sample (e.g. ReLU never active).</summary>
    public static int InactiveNeuronCount(Tensor<double> h)
    {
        var (b, hidden) = FeatureMatrix.Dims("SymmetryDistance.InactiveNeuronCount", h);
        int count = 0;
        for (int i = 0; i < hidden; i++)
        {
            bool active = false;
            for (int n = 0; n < b && !active; n++) active = h[n, i] != 0;
            if (!active) count++;
        }
        return count;
    }
}
