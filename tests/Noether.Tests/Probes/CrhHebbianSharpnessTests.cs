using MathNet.Numerics.LinearAlgebra;
using Noether.Probes;
using Noether.Tensors;
using Xunit;
using static Noether.Tests.Probes.ProbeTestData;

namespace Noether.Tests.Probes;

public class CrhTests
{
    /// <summary>S^p for symmetric positive semidefinite S (eigenvalues below 1e-12 map to 0).</summary>
    private static Matrix<double> Power(Matrix<double> s, double p)
    {
        var evd = s.Evd(Symmetricity.Symmetric);
        var d = evd.EigenValues.Select(z => z.Real > 1e-12 ? Math.Pow(z.Real, p) : 0).ToArray();
        return evd.EigenVectors * Matrix<double>.Build.DenseOfDiagonalArray(d) * evd.EigenVectors.Transpose();
    }

    /// <summary>B samples whose second moment (1/B)XᵀX is exactly M: X = √B·Q·M^{1/2} with orthonormal Q (B×m).</summary>
    private static Tensor<double> SamplesWithSecondMoment(Rng rng, int b, Matrix<double> m)
    {
        var q = ToMatrix(Gaussian(rng, b, m.RowCount)).QR().Q.SubMatrix(0, b, 0, m.RowCount);
        return ToTensor(Math.Sqrt(b) * q * Power(m, 0.5));
    }

    [Fact]
    public void Pah_RecoversPlantedExponent()
    {
        var rng = new Rng(1);
        var q = ToMatrix(Gaussian(rng, 8, 8)).QR().Q;
        var lambda = Enumerable.Range(0, 8).Select(i => Math.Pow(2, -i)).ToArray();
        var z = q * Matrix<double>.Build.DenseOfDiagonalArray(lambda) * q.Transpose();
        var x = 3.0 * q * Matrix<double>.Build.DenseOfDiagonalArray(lambda.Select(l => Math.Pow(l, 2.5)).ToArray()) * q.Transpose();
        var fit = Pah.PahExponent(ToTensor(x), ToTensor(z));
        Assert.Equal(2.5, fit.Exponent, 8);
        Assert.Equal(Math.Log(3), fit.Intercept, 8);
        Assert.Equal(1.0, fit.RSquared, 10);
        Assert.Equal(8, fit.Points);
        // Unrelated eigenvectors give a poor fit.
        var other = ToMatrix(Gaussian(rng, 8, 20));
        Assert.True(Pah.PahExponent(ToTensor(other * other.Transpose()), ToTensor(z)).RSquared < 0.9);
    }

    [Fact]
    public void Crh_ConstructedPowerLaws_PropagateAcrossTheLayer()
    {
        // H_a = Z_a^α and G_b = Z_b^β imply H_b = Z_b^{α+1} and G_a = Z_a^{β+1} (PAH, docs/experiments/crh.md#claim).
        var rng = new Rng(2);
        int n = 6, batch = 64;
        var w = ToMatrix(Gaussian(rng, n, n)) / Math.Sqrt(n);
        var za = w.Transpose() * w; var zb = w * w.Transpose();
        double alpha = 0.5, beta = 2.0;
        var ha = SamplesWithSecondMoment(rng, batch, Power(za, alpha));
        var gb = SamplesWithSecondMoment(rng, batch, Power(zb, beta));
        var m = Crh.Matrices(ha, gb, ToTensor(w), normalizeAndCentre: false);
        Assert.Equal(alpha, Pah.PahExponent(m.Ha, m.Za).Exponent, 6);
        Assert.Equal(alpha + 1, Pah.PahExponent(m.Hb, m.Zb).Exponent, 6);
        Assert.Equal(beta, Pah.PahExponent(m.Gb, m.Zb).Exponent, 6);
        Assert.Equal(beta + 1, Pah.PahExponent(m.Ga, m.Za).Exponent, 6);
        Assert.Equal(1.0, Pah.PahExponent(m.Hb, m.Zb).RSquared, 8);
    }

    [Fact]
    public void Crh_ExactAlignment_GivesAlphaOne_AndNullIsLower()
    {
        // H_a = Z_a (f-RWA) and G_b = Z_b (b-GWA) exactly.
        var rng = new Rng(3);
        int n = 8;
        var q = ToMatrix(Gaussian(rng, n, n)).QR().Q;
        var w = q * Matrix<double>.Build.DenseOfDiagonalArray(Enumerable.Range(0, n).Select(i => 2.0 / (1 + i)).ToArray()) * ToMatrix(Gaussian(rng, n, n)).QR().Q;
        var za = w.Transpose() * w; var zb = w * w.Transpose();
        var m = Crh.Matrices(SamplesWithSecondMoment(rng, 40, za), SamplesWithSecondMoment(rng, 40, zb), ToTensor(w), normalizeAndCentre: false);
        var a = Crh.Alignments(m);
        Assert.Equal(1.0, a.ARW, 10);
        Assert.Equal(1.0, a.BGW, 10);
        Assert.True(a.Mean < 1.0);
        var nul = Crh.NullAlignments(m, 10, rng.Child("null"));
        Assert.True(nul.ARW < a.ARW - 0.2, $"null {nul.ARW}");
    }

    [Fact]
    public void Crh_NormalisedAndCentred_UsesUnitVectorCovariances()
    {
        var rng = new Rng(4);
        var ha = Gaussian(rng, 50, 5);
        for (int i = 0; i < ha.Length; i++) ha[i] = ha[i] * 10 + 3;
        var m = Crh.Matrices(ha, Gaussian(rng, 50, 4), Gaussian(rng, 4, 5), normalizeAndCentre: true);
        double trace = Enumerable.Range(0, 5).Sum(i => m.Ha[i, i]);
        Assert.InRange(trace, 0.0, 1.0); // Tr Cov(unit vectors) = 1 − ‖mean‖² ≤ 1
        Assert.Equal(new[] { 4, 4 }, m.Gb.Shape);
        Assert.Equal(new[] { 5, 5 }, m.Za.Shape);
    }
}

public class HebbianAlignmentTests
{
    [Fact]
    public void ExactlyHebbianRule_HasAlignmentOne_AndAntiHebbianMinusOne()
    {
        var rng = new Rng(1);
        var ha = Gaussian(rng, 32, 6);
        var w = Gaussian(rng, 4, 6);
        var hb = ToTensor(ToMatrix(ha) * ToMatrix(w).Transpose());
        var hebb = ToTensor(ToMatrix(hb).Transpose() * ToMatrix(ha) / 32);   // Δ_Hebb W = h_b h_aᵀ, batch mean
        Assert.Equal(1.0, HebbianAlignment.LayerAlignment(hebb, ha, hb), 12);
        Assert.Equal(-1.0, HebbianAlignment.LayerAlignment(ToTensor(-ToMatrix(hebb)), ha, hb), 12);
        Assert.All(HebbianAlignment.NeuronAlignment(hebb, ha, hb), v => Assert.Equal(1.0, v, 12));
        Assert.True(Math.Abs(HebbianAlignment.LayerAlignment(Gaussian(rng, 4, 6), ha, hb)) < 0.9);
    }

    [Fact]
    public void WeakFormStationarity_AndWhitenedInputCorollary()
    {
        // With whitened input (E h_a h_aᵀ = I), H̄ = W, so a stationary learning signal ḡ = γW is fully Hebbian.
        var rng = new Rng(2);
        int b = 64, din = 5;
        var ha = ToTensor(Math.Sqrt(b) * ToMatrix(Gaussian(rng, b, din)).QR().Q.SubMatrix(0, b, 0, din));
        var w = Gaussian(rng, 3, din);
        var hb = ToTensor(ToMatrix(ha) * ToMatrix(w).Transpose());
        double gamma = 0.01;
        var gbar = new RunningMatrixMean(3, din);
        for (int step = 0; step < 4; step++)
        {
            var g = ToTensor(gamma * ToMatrix(w) + (step % 2 == 0 ? 1 : -1) * 0.5 * ToMatrix(Gaussian(rng.Child("zero-mean"), 3, din)));
            gbar.Add(g);   // ± the same noise: the mean is exactly γW
        }
        Assert.Equal(4, gbar.Count);
        Assert.Equal(1.0, HebbianAlignment.StationarityCosine(gbar.Mean, w, gamma), 12);
        Assert.Equal(1.0, HebbianAlignment.LayerAlignment(gbar.Mean, ha, hb), 10);
        var avg = new StepAverage();
        avg.Add(0.2); avg.Add(0.4);
        Assert.Equal(0.3, avg.Mean, 14);
    }
}

public class SharpnessTests
{
    private static (Func<double[], double[]> Grad, double[] Eigen) Quadratic(Rng rng, int p)
    {
        var q = ToMatrix(Gaussian(rng, p, p)).QR().Q;
        var eig = Enumerable.Range(0, p).Select(i => i == 0 ? 5.0 : 3.0 - 2.5 * i / p).ToArray();
        var a = q * Matrix<double>.Build.DenseOfDiagonalArray(eig) * q.Transpose();
        var bias = Vector<double>.Build.Dense(p, i => 0.1 * i);
        return (theta => (a * Vector<double>.Build.DenseOfArray(theta) + bias).ToArray(), eig);
    }

    [Fact]
    public void ExactTraceAndTopEigenvalue_OfAQuadratic_MatchTheSpectrum()
    {
        var rng = new Rng(1);
        var (grad, eig) = Quadratic(rng, 12);
        var theta = Enumerable.Range(0, 12).Select(i => Math.Sin(i)).ToArray();
        Assert.Equal(eig.Sum(), Sharpness.ExactTrace(grad, theta), 7);
        Assert.Equal(5.0, Sharpness.ExactTopEigenvalue(grad, theta), 7);
        Assert.Equal(5.0, Sharpness.TopEigenvalue(grad, theta, rng.Child("power"), iterations: 500), 6);
    }

    [Fact]
    public void HutchinsonTrace_IsWithinItsErrorBar()
    {
        var rng = new Rng(2);
        var (grad, eig) = Quadratic(rng, 20);
        var theta = new double[20];
        var est = Sharpness.HutchinsonTrace(grad, theta, 400, rng.Child("probes"));
        Assert.True(est.StandardError > 0 && est.StandardError < 0.1 * eig.Sum());
        Assert.True(Math.Abs(est.Trace - eig.Sum()) < 4 * est.StandardError, $"{est.Trace} vs {eig.Sum()} ± {est.StandardError}");
    }

    [Fact]
    public void ExactHessian_OfANonQuadraticLoss_MatchesTheAnalyticHessian()
    {
        // L = Σ cos θ_i + θ_0 θ_1: H = diag(−cos θ) + (e_0e_1ᵀ + e_1e_0ᵀ).
        Func<double[], double[]> grad = t => t.Select((v, i) => -Math.Sin(v) + (i == 0 ? t[1] : i == 1 ? t[0] : 0)).ToArray();
        double[] theta = [0.3, -1.2, 2.0];
        var h = Sharpness.ExactHessian(grad, theta);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double expected = (i == j ? -Math.Cos(theta[i]) : 0) + ((i, j) is (0, 1) or (1, 0) ? 1 : 0);
                Assert.Equal(expected, h[i, j], 6);
            }
    }
}
