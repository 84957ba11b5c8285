using MathNet.Numerics.LinearAlgebra;
using Noether.Probes;
using Noether.Tensors;
using Xunit;
using static Noether.Tests.Probes.ProbeTestData;

namespace Noether.Tests.Probes;

/// <summary>Balance, charges, ranks, symmetry distances, feedback alignment and φ̂ on constructed inputs with known values.</summary>
public class WeightProbeTests
{
    private static Tensor<double> T(int rows, int cols, params double[] v) => Tensor<double>.FromDoubles(v, rows, cols);

    /// <summary>A random two-layer linear net f = UWx with MSE on one batch, and its exact batch gradients.</summary>
    private static (Matrix<double> W, Matrix<double> U, Matrix<double> X, Matrix<double> Gw, Matrix<double> Gu) TwoLayerNet(Rng rng, int d, int h, int o, int b)
    {
        var w = ToMatrix(Gaussian(rng, h, d)) / Math.Sqrt(d);
        var u = ToMatrix(Gaussian(rng, o, h)) / Math.Sqrt(h);
        var x = ToMatrix(Gaussian(rng, d, b));               // columns are samples
        var y = ToMatrix(Gaussian(rng, o, b));
        var r = u * w * x - y;                                // L = ‖r‖²/(2B)
        var gw = u.Transpose() * r * x.Transpose() / b;
        var gu = r * (w * x).Transpose() / b;
        return (w, u, x, gw, gu);
    }

    [Fact]
    public void ChargeIdentity_OneSgdStepWithWeightDecay_IsExact()
    {
        var rng = new Rng(1);
        var (w, u, _, gw, gu) = TwoLayerNet(rng, 5, 7, 3, 16);
        double eta = 0.05, gamma = 0.01;
        double c0 = SymmetryCharge.RescalingCharge(w.ToRowMajorArray(), u.ToRowMajorArray());
        double gAg = gw.FrobeniusNorm() * gw.FrobeniusNorm() - gu.FrobeniusNorm() * gu.FrobeniusNorm();
        var w1 = w - eta * (gw + 2 * gamma * w);
        var u1 = u - eta * (gu + 2 * gamma * u);
        double c1 = SymmetryCharge.RescalingCharge(w1.ToRowMajorArray(), u1.ToRowMajorArray());
        double predicted = SymmetryCharge.PredictedChargeAfterStep(c0, gAg, eta, gamma);
        Assert.True(Math.Abs(c1 - predicted) <= 1e-12 * Math.Max(1, Math.Abs(c1)), $"{c1} vs {predicted}");
        Assert.True(Math.Abs(c1 - c0) > 1e-4); // the step does change the charge, so the identity is not trivial

        // The dense generator form θᵀAθ with A = diag(+I_W, −I_U) is the same charge.
        var theta = w.ToRowMajorArray().Concat(u.ToRowMajorArray()).ToArray();
        int p = theta.Length, pw = w.RowCount * w.ColumnCount;
        var a = new double[p * p];
        for (int i = 0; i < p; i++) a[i * p + i] = i < pw ? 1 : -1;
        Assert.Equal(c0, SymmetryCharge.Charge(theta, a), 12);
    }

    [Fact]
    public void ChargeIdentity_MatrixForm_AndGradientIsOrthogonalToTheGenerator()
    {
        var rng = new Rng(2);
        var (w, u, x, gw, gu) = TwoLayerNet(rng, 4, 6, 4, 8);
        double eta = 0.1;
        var before = SymmetryCharge.TwoLayerChargeMatrix(ToTensor(w), ToTensor(u));
        var after = SymmetryCharge.TwoLayerChargeMatrix(ToTensor(w - eta * gw), ToTensor(u - eta * gu));
        var expected = eta * eta * (gw * gw.Transpose() - gu.Transpose() * gu);
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++)
                Assert.Equal(expected[i, j], after[i, j] - before[i, j], 12);
        // Fact 1: ∇ℓᵀAθ = ⟨G_W, W⟩ − ⟨G_U, U⟩ = 0 (for the batch gradient as for each sample).
        double orth = (gw.PointwiseMultiply(w)).Enumerate().Sum() - (gu.PointwiseMultiply(u)).Enumerate().Sum();
        Assert.True(Math.Abs(orth) < 1e-12, $"{orth}");
    }

    [Fact]
    public void GradientBalance_KnownValues()
    {
        // h_a rows have ‖·‖² = 1 and 4; g_b rows ‖·‖² = 9 and 1.
        var ha = T(2, 2, 1, 0, 0, 2);
        var gb = T(2, 1, 3, 1);
        Assert.Equal(new[] { 9.0, 4.0 }, GradientBalance.PerSampleSquaredNorms(ha, gb));
        Assert.Equal(2.0, GradientBalance.LayerBalanceRatio([2.0, 6.0], [1.0, 3.0]), 14);

        // Neuron 0: E[g1²‖x‖²] = 4, E[h²‖g2‖²] = 1 → |log 4|; neuron 1: ratio 1 → 0; neuron 2: no gradient (dead).
        var x = T(2, 1, 1, -1);
        var g1 = T(2, 3, 2, 1, 0, -2, 1, 0);
        var h = T(2, 3, 1, 1, 0, 1, 1, 0);
        var g2 = T(2, 1, 1, 1);
        var nb = GradientBalance.NeuronBalance(x, g1, h, g2);
        Assert.Equal(2, nb.ActiveNeurons);
        Assert.Equal(Math.Log(4), nb.LogRatios[0], 14);
        Assert.Equal(0.0, nb.LogRatios[1], 14);
        Assert.True(double.IsNaN(nb.LogRatios[2]));
        Assert.Equal(0.5 * Math.Log(4), nb.MedianAbsLogRatio, 14);
    }

    [Fact]
    public void TwoLayerImbalance_IsZeroAtEquilibriumAndPositiveOtherwise()
    {
        var rng = new Rng(3);
        var w = ToMatrix(Gaussian(rng, 6, 4));       // h = 6, d = 4
        var balancedU = w.Transpose();                // o = d = 4, UᵀU = WWᵀ
        Assert.Equal(0.0, GradientBalance.TwoLayerImbalance(ToTensor(w), ToTensor(balancedU)), 14);
        Assert.True(GradientBalance.TwoLayerImbalance(ToTensor(w), ToTensor(balancedU * 3)) > 0.5);
    }

    [Fact]
    public void Ranks_KnownValues()
    {
        var d = T(4, 4, 3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1e-6);
        Assert.Equal(3, Rank.NumericalRank(d));
        Assert.Equal(4, Rank.NumericalRank(d, 1e-9));
        var iso = T(3, 4, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0);
        Assert.Equal(3.0, Rank.EffectiveRank(iso), 12);
        Assert.Equal(1.0, Rank.EffectiveRank(T(2, 2, 5, 0, 0, 0)), 12);
        Assert.Equal(2.0, SymmetryDistance.RotationDistance(d, 1), 12);
        Assert.Equal(0.0, SymmetryDistance.RotationDistance(iso, 3), 12);
    }

    [Fact]
    public void SymmetryDistances_KnownValues()
    {
        // Neurons 0 and 2 identical: the permutation-symmetric distance is 0 at pair (0, 2).
        var w1 = T(3, 2, 1, 2, 3, 4, 1, 2);
        var pd = SymmetryDistance.PermutationDistance(w1);
        Assert.Equal(0.0, pd.MinDistance);
        Assert.Equal((0, 2), pd.NearestPair);
        Assert.Equal(Math.Sqrt(8), pd.MaxDistance, 12);
        Assert.Equal(0.0, pd.DeltaG);

        var w2 = T(1, 3, 0, 1, 0);   // u_0 = 0, u_1 = 1, u_2 = 0
        var rd = SymmetryDistance.RescalingDistances(w1, w2);
        Assert.Equal(new[] { Math.Sqrt(5), Math.Sqrt(26), Math.Sqrt(5) }, rd.Select(v => Math.Round(v, 12)).ToArray(), new RoundedComparer());
        Assert.Equal(2, SymmetryDistance.DeadNeuronCount(w1, w2));
        Assert.Equal(1, SymmetryDistance.InactiveNeuronCount(T(2, 3, 0, 1, 0, 0, 2, 3)));
    }

    private sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) < 1e-10;
        public int GetHashCode(double v) => 0;
    }

    [Fact]
    public void FeedbackAlignment_KnownValues()
    {
        var rng = new Rng(4);
        var w = Gaussian(rng, 3, 5);
        var wt = ToTensor(ToMatrix(w).Transpose());
        Assert.Equal(1.0, FeedbackAlignment.TransposeCosine(wt, w), 14);
        Assert.Equal(1.0, FeedbackAlignment.SignAgreement(wt, w));
        Assert.Equal(0.0, FeedbackAlignment.RelativeAsymmetry(wt, w), 14);
        var neg = ToTensor(-ToMatrix(wt));
        Assert.Equal(-1.0, FeedbackAlignment.TransposeCosine(neg, w), 14);
        Assert.Equal(0.0, FeedbackAlignment.SignAgreement(neg, w));
        Assert.Equal(1.0, FeedbackAlignment.RelativeAsymmetry(neg, w), 14);
        Assert.Throws<ShapeMismatchException>(() => FeedbackAlignment.TransposeCosine(w, w));
    }

    [Fact]
    public void ConsistencyScore_IsOneForBackprop_AndRecoversPlantedPhi()
    {
        var rng = new Rng(5);
        var gh = Gaussian(rng, 32, 4);
        Assert.Equal(1.0, ConsistencyScore.PhiHat(gh, gh), 14);
        // P = Gh · diag(2, −0.5, 1, 3): per-neuron φ̂ recovers the diagonal; 3 of 4 are positive.
        var p = gh.Clone();
        double[] phi = [2, -0.5, 1, 3];
        for (int n = 0; n < 32; n++) for (int i = 0; i < 4; i++) p[n, i] *= phi[i];
        var per = ConsistencyScore.PhiHatPerNeuron(p, gh);
        for (int i = 0; i < 4; i++) Assert.Equal(phi[i], per[i], 12);
        Assert.Equal(0.75, ConsistencyScore.PositiveFraction(per));
        var scaled = gh.Clone();
        for (int i = 0; i < scaled.Length; i++) scaled[i] *= -0.3;
        Assert.Equal(-0.3, ConsistencyScore.PhiHat(scaled, gh), 14);
    }
}
