using Noether.Probes;
using Noether.Tensors;
using Xunit;
using static Noether.Tests.Probes.ProbeTestData;

namespace Noether.Tests.Probes;

public class MatrixAlignmentTests
{
    [Fact]
    public void FrobeniusCosine_KnownValues()
    {
        Assert.Equal(1.0, MatrixAlignment.FrobeniusCosine([1.0, 2, 3], [2.0, 4, 6]), 14);
        Assert.Equal(-1.0, MatrixAlignment.FrobeniusCosine([1.0, 2, 3], [-1.0, -2, -3]), 14);
        Assert.Equal(0.0, MatrixAlignment.FrobeniusCosine([1.0, 0], [0.0, 5]), 14);
        Assert.Equal(1 / Math.Sqrt(2), MatrixAlignment.FrobeniusCosine([1.0, 0], [1.0, 1]), 14);
    }

    [Fact]
    public void PearsonAlpha_IsAffineInvariantAndMatchesHandValue()
    {
        double[] x = [1, 2, 3, 4];
        Assert.Equal(1.0, MatrixAlignment.PearsonAlpha(x, [10.0, 12, 14, 16]), 14);
        // x̄ = 2.5, y = [1,3,2,4]: Σdxdy = 4, Σdx² = 5, Σdy² = 5 → 0.8
        Assert.Equal(0.8, MatrixAlignment.PearsonAlpha(x, [1.0, 3, 2, 4]), 14);
    }

    [Fact]
    public void SpearmanAlpha_IsOneForMonotoneMaps_AndAveragesTies()
    {
        double[] x = [1, 2, 3, 4, 5];
        var cubed = x.Select(v => v * v * v).ToArray();
        Assert.Equal(1.0, MatrixAlignment.SpearmanAlpha(x, cubed), 14);
        Assert.True(MatrixAlignment.PearsonAlpha(x, cubed) < 0.99);
        Assert.Equal(-1.0, MatrixAlignment.SpearmanAlpha(x, cubed.Select(v => -v).ToArray()), 14);
        Assert.Equal(new[] { 1.0, 2.5, 2.5, 4.0 }, MatrixAlignment.Ranks([1.0, 5, 5, 9]));
    }

    [Fact]
    public void OrthogonalNull_IsLowForAPeakedSpectrum_AndHighForANearIsotropicOne()
    {
        var rng = new Rng(3);
        // Rank one Z = vvᵀ: a random rotation leaves α(Z, QZQᵀ) at the 1/m level.
        var v = Gaussian(rng, 16, 1);
        var rank1 = ToTensor(ToMatrix(v) * ToMatrix(v).Transpose());
        Assert.Equal(1.0, MatrixAlignment.PearsonAlpha(rank1, rank1), 14);
        var low = MatrixAlignment.OrthogonalNull(rank1, rank1, 30, rng.Child("null1"));
        Assert.InRange(low.Mean, -0.1, 0.25);
        Assert.True(low.Sd > 0);
        // A Wishart matrix is close to a multiple of I, so its diagonal survives any rotation (docs/experiments/crh.md#the-alignment-measure).
        var a = ToMatrix(Gaussian(rng, 16, 40));
        var z = ToTensor(a * a.Transpose() / 40);
        Assert.True(MatrixAlignment.OrthogonalNull(z, z, 30, rng.Child("null2")).Mean > 0.5);
        // Rotation keeps the spectrum: the trace (sum of eigenvalues) is unchanged under QZQᵀ.
        var q = MatrixAlignment.HaarOrthogonal(16, rng);
        var zm = ToMatrix(z);
        Assert.Equal(zm.Trace(), (q * zm * q.Transpose()).Trace(), 10);
        Assert.All((q.Transpose() * q - MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseIdentity(16)).Enumerate(), v => Assert.True(Math.Abs(v) < 1e-12));
    }

    [Fact]
    public void MismatchedShapes_RaiseShapeMismatch()
    {
        Assert.Throws<ShapeMismatchException>(() => MatrixAlignment.PearsonAlpha(new Tensor<double>(2, 3), new Tensor<double>(3, 2)));
        Assert.Throws<ShapeMismatchException>(() => MatrixAlignment.FrobeniusCosine([1.0, 2], [1.0]));
    }
}
