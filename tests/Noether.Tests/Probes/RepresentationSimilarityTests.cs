using MathNet.Numerics.LinearAlgebra;
using Noether.Probes;
using Noether.Tensors;
using Xunit;
using static Noether.Tests.Probes.ProbeTestData;

namespace Noether.Tests.Probes;

/// <summary>Known-value checks of docs/probes.md#typical-values plus agreement with naive reference formulas.</summary>
public class RepresentationSimilarityTests
{
    // ---- naive references written straight from the formulas (explicit H, full sorts) ----

    internal static Matrix<double> Centering(int n) =>
        Matrix<double>.Build.DenseIdentity(n) - Matrix<double>.Build.Dense(n, n, 1.0 / n);

    internal static double NaiveHsicBiased(Matrix<double> k, Matrix<double> l)
    {
        var h = Centering(k.RowCount);
        return (k * h * l * h).Trace() / Math.Pow(k.RowCount - 1, 2);
    }

    internal static double NaiveLinearCka(Tensor<double> a, Tensor<double> b)
    {
        var A = ToMatrix(a); var B = ToMatrix(b);
        var k = A * A.Transpose(); var l = B * B.Transpose();
        return NaiveHsicBiased(k, l) / Math.Sqrt(NaiveHsicBiased(k, k) * NaiveHsicBiased(l, l));
    }

    internal static double NaiveMutualKnn(Tensor<double> a, Tensor<double> b, int k)
    {
        int n = a.Shape[0];
        int[][] Nbrs(Tensor<double> x)
        {
            var X = ToMatrix(x);
            for (int i = 0; i < n; i++) X.SetRow(i, X.Row(i) / X.Row(i).L2Norm());
            var s = X * X.Transpose();
            return Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Where(j => j != i)
                .OrderByDescending(j => s[i, j]).Take(k).ToArray()).ToArray();
        }
        var na = Nbrs(a); var nb = Nbrs(b);
        return Enumerable.Range(0, n).Average(i => na[i].Intersect(nb[i]).Count() / (double)k);
    }

    internal static double NaiveHsicUnbiased(Matrix<double> k, Matrix<double> l)
    {
        int n = k.RowCount;
        var kt = k.Clone(); var lt = l.Clone();
        for (int i = 0; i < n; i++) { kt[i, i] = 0; lt[i, i] = 0; }
        var one = Vector<double>.Build.Dense(n, 1.0);
        double t1 = (kt * lt).Trace();
        double t2 = (one * kt * one) * (one * lt * one) / ((n - 1.0) * (n - 2.0));
        double t3 = 2.0 / (n - 2.0) * (one * (kt * lt) * one);
        return (t1 + t2 - t3) / (n * (n - 3.0));
    }

    // ---- CKA ----

    [Fact]
    public void LinearCka_OfIdenticalFeatures_IsOne()
    {
        var a = Gaussian(new Rng(1), 50, 7);
        Assert.Equal(1.0, Cka.LinearCka(a, a), 12);
        Assert.Equal(1.0, Cka.LinearCkaGram(a, a), 12);
        Assert.Equal(1.0, UnbiasedCka.UnbiasedLinearCka(a, a), 12);
        Assert.Equal(1.0, RbfCka.RbfCkaMedian(a, a), 12);
    }

    [Fact]
    public void LinearCka_AgreesWithExplicitCentringMatrixReference()
    {
        var rng = new Rng(2);
        var a = Gaussian(rng, 40, 6);
        var b = Times(a, ToMatrix(Gaussian(rng, 6, 9)));
        var noise = Gaussian(rng, 40, 9);
        for (int i = 0; i < b.Length; i++) b[i] += 2.0 * noise[i];
        double reference = NaiveLinearCka(a, b);
        Assert.InRange(reference, 0.05, 0.95); // a planted but imperfect relation
        Assert.Equal(reference, Cka.LinearCka(a, b), 10);
        Assert.Equal(reference, Cka.LinearCkaGram(a, b), 10);
    }

    [Fact]
    public void LinearCka_GramAndFeatureForms_AgreeTo1e9()
    {
        var rng = new Rng(3);
        for (int trial = 0; trial < 5; trial++)
        {
            var a = Gaussian(rng, 60, 5 + trial);
            var b = Gaussian(rng, 60, 12 - trial);
            for (int i = 0; i < 60; i++) b[i, 0] += 3 * a[i, 0] + 1.5; // partial shared signal and an offset
            Assert.Equal(Cka.LinearCka(a, b), Cka.LinearCkaGram(a, b), 9);
            Assert.Equal(UnbiasedCka.UnbiasedLinearCka(a, b), UnbiasedCka.UnbiasedLinearCkaFeature(a, b), 9);
        }
    }

    [Fact]
    public void LinearCka_IsInvariantToOrthogonalMapIsotropicScaleAndTranslation()
    {
        var rng = new Rng(4);
        var a = Gaussian(rng, 80, 8);
        var q = Orthogonal(rng, 8);
        var b = Times(a, q * -3.7);
        for (int i = 0; i < 80; i++) for (int j = 0; j < 8; j++) b[i, j] += j - 2.5; // + 𝟙bᵀ
        Assert.Equal(1.0, Cka.LinearCka(a, b), 10);
        Assert.Equal(1.0, Cka.LinearCkaGram(a, b), 10);
        Assert.Equal(1.0, UnbiasedCka.UnbiasedLinearCka(a, b), 10);
        Assert.Equal(1.0, UnbiasedCka.UnbiasedLinearCkaFeature(a, b), 10);
    }

    [Fact]
    public void LinearCka_IsNotInvariantToAGeneralInvertibleMap()
    {
        var rng = new Rng(5);
        var a = Gaussian(rng, 100, 8);
        var m = ToMatrix(Gaussian(rng, 8, 8));
        Assert.True(Math.Abs(m.Determinant()) > 1e-3);
        Assert.True(Cka.LinearCka(a, Times(a, m)) < 0.999);
        Assert.True(UnbiasedCka.UnbiasedLinearCka(a, Times(a, m)) < 0.999);
    }

    [Fact]
    public void HsicBiased_MatchesTraceFormula()
    {
        var rng = new Rng(6);
        var a = ToMatrix(Gaussian(rng, 30, 4)); var b = ToMatrix(Gaussian(rng, 30, 3));
        var k = a * a.Transpose(); var l = b * b.Transpose();
        double expected = NaiveHsicBiased(k, l);
        Assert.Equal(expected, Cka.HsicBiased(k.ToRowMajorArray(), l.ToRowMajorArray(), 30), 10);
    }

    [Fact]
    public void UnbiasedHsic_SongAndUCentringForms_AgreeWithEachOtherAndTheMatrixFormula()
    {
        var rng = new Rng(7);
        var a = ToMatrix(Gaussian(rng, 40, 5)); var b = ToMatrix(Gaussian(rng, 40, 7));
        b.SetColumn(0, b.Column(0) + a.Column(1));
        var k = a * a.Transpose(); var l = b * b.Transpose();
        double song = UnbiasedCka.HsicUnbiasedSong(k.ToRowMajorArray(), l.ToRowMajorArray(), 40);
        double ucentred = UnbiasedCka.HsicUnbiasedUCentred(k.ToRowMajorArray(), l.ToRowMajorArray(), 40);
        double naive = NaiveHsicUnbiased(k, l);
        Assert.True(Math.Abs(song - ucentred) <= 1e-9 * Math.Abs(song), $"{song} vs {ucentred}");
        Assert.True(Math.Abs(song - naive) <= 1e-9 * Math.Abs(naive), $"{song} vs {naive}");
        // Masked (asymmetric) kernels: the general form used by CKNNA must agree with the matrix formula too.
        var km = k.Clone(); km[0, 5] = 0; km[3, 2] = 0; km[7, 1] = 0;
        var lm = l.Clone(); lm[5, 0] = 0; lm[9, 8] = 0;
        double general = Cknna.HsicUnbiasedGeneral(km.ToRowMajorArray(), lm.ToRowMajorArray(), 40);
        Assert.Equal(NaiveHsicUnbiased(km, lm), general, 9);
    }

    [Fact]
    public void IndependentFeatures_UnbiasedCkaNearZero_BiasedCkaAtItsKnownBias()
    {
        var rng = new Rng(8);
        var a = Gaussian(rng, 1024, 64);
        var b = Gaussian(rng, 1024, 64);
        double u = UnbiasedCka.UnbiasedLinearCkaFeature(a, b);
        double biased = Cka.LinearCka(a, b);
        Assert.InRange(u, -0.01, 0.01);
        Assert.InRange(biased, 0.03, 0.09);
    }

    [Fact]
    public void RbfCka_MatchesNaiveKernelReference()
    {
        var rng = new Rng(9);
        var a = Gaussian(rng, 30, 3);
        var b = Gaussian(rng, 30, 4);
        for (int i = 0; i < 30; i++) b[i, 0] += 2 * a[i, 0];
        Matrix<double> Kernel(Tensor<double> x, double theta)
        {
            var X = ToMatrix(x); int n = X.RowCount;
            var d2 = Matrix<double>.Build.Dense(n, n, (i, j) => (X.Row(i) - X.Row(j)).DotProduct(X.Row(i) - X.Row(j)));
            var sorted = d2.ToColumnMajorArray().OrderBy(v => v).ToArray();
            double med = 0.5 * (sorted[n * n / 2 - 1] + sorted[n * n / 2]);
            return d2.Map(v => Math.Exp(-v / (2 * theta * theta * med)));
        }
        foreach (double theta in new[] { 0.5, 1.0 })
        {
            var k = Kernel(a, theta); var l = Kernel(b, theta);
            double expected = NaiveHsicBiased(k, l) / Math.Sqrt(NaiveHsicBiased(k, k) * NaiveHsicBiased(l, l));
            Assert.Equal(expected, RbfCka.RbfCkaMedian(a, b, theta), 10);
        }
    }

    // ---- mutual k-NN ----

    [Fact]
    public void MutualKnn_IsOneForIdenticalAndOrthogonallyRotatedFeatures()
    {
        var rng = new Rng(10);
        var a = Gaussian(rng, 200, 16);
        Assert.Equal(1.0, MutualKnn.MutualKnnAlignment(a, a, 10));
        Assert.Equal(1.0, MutualKnn.MutualKnnAlignment(a, Times(a, Orthogonal(rng, 16)), 10));
    }

    [Fact]
    public void MutualKnn_OfIndependentFeatures_IsAtChanceLevel()
    {
        var rng = new Rng(11);
        double mean = 0;
        for (int seed = 0; seed < 5; seed++)
            mean += MutualKnn.MutualKnnAlignment(Gaussian(rng, 512, 12), Gaussian(rng, 512, 12), 100) / 5;
        Assert.Equal(100 / 511.0, MutualKnn.Chance(512, 100), 12);
        Assert.True(Math.Abs(mean - 0.196) < 0.02, $"mean m_kNN {mean}");
    }

    [Fact]
    public void MutualKnn_AgreesWithFullSortReference_OnPlantedRelation()
    {
        var rng = new Rng(12);
        var a = Gaussian(rng, 120, 6);
        var b = Times(a, ToMatrix(Gaussian(rng, 6, 10)));
        var noise = Gaussian(rng, 120, 10);
        for (int i = 0; i < b.Length; i++) b[i] += 1.5 * noise[i];
        double reference = NaiveMutualKnn(a, b, 7);
        Assert.InRange(reference, 0.1, 0.9);
        Assert.Equal(reference, MutualKnn.MutualKnnAlignment(a, b, 7), 12);
    }

    [Fact]
    public void NearestNeighbours_EqualTheFirstKOfAStableSort_WithManyTies()
    {
        // Entries in {−1, 0, 1} on 3 columns give many equal similarities (and zero rows): the selection must keep
        // the same k as a stable sort by decreasing similarity (ties to the lower index), listed in index order.
        var rng = new Rng(5);
        int n = 200, d = 3;
        var x = new Tensor<double>(n, d);
        for (int i = 0; i < x.Length; i++) x.Span[i] = rng.NextInt(3) - 1;
        var xs = x.ReadOnlySpan.ToArray();
        FeatureMatrix.NormalizeRows(xs, n, d);
        var s = new double[n * n];
        FeatureMatrix.Gram(xs, n, d, s);
        foreach (int k in new[] { 1, 7, 50, 150, n - 1 })
        {
            var got = MutualKnn.NearestNeighbours(x, k);
            for (int i = 0; i < n; i++)
            {
                var expected = Enumerable.Range(0, n).Where(j => j != i).OrderByDescending(j => s[i * n + j]).Take(k).Order().ToArray();
                Assert.Equal(expected, got.AsSpan(i * k, k).ToArray());
            }
        }
    }

    [Fact]
    public void MutualKnn_ClippingChangesOnlyOutlierDominatedNeighbourhoods()
    {
        var rng = new Rng(13);
        var a = Gaussian(rng, 100, 10);
        Assert.Equal(1.0, MutualKnn.MutualKnnAlignment(a, a, 5, clipQuantile: 0.95));
        var x = a.ToDoubles();
        double tau = FeatureMatrix.ClipOutliersRowQuantile(x, 100, 10, 0.95);
        Assert.True(tau > 0 && x.Max() <= tau && x.Min() >= -tau);
        Assert.Contains(x, v => Math.Abs(v) == tau);
    }

    // ---- CKNNA ----

    [Fact]
    public void Cknna_OfIdenticalFeatures_IsOneUpToTheSlack()
    {
        var a = Gaussian(new Rng(14), 150, 12);
        Assert.InRange(Cknna.CknnaAlignment(a, a, 10), 0.999, 1.0);
    }

    [Fact]
    public void Cknna_OfIndependentFeatures_IsNearZero_AndPlantedRelationIsHigh()
    {
        var rng = new Rng(15);
        var a = Gaussian(rng, 300, 12);
        Assert.InRange(Cknna.CknnaAlignment(a, Gaussian(rng, 300, 12), 10), -0.05, 0.05);
        var b = a.Clone();
        var noise = Gaussian(rng, 300, 12);
        for (int i = 0; i < b.Length; i++) b[i] += 0.2 * noise[i];
        Assert.True(Cknna.CknnaAlignment(a, b, 10) > 0.5);
    }

    // ---- CCA / SVCCA ----

    [Fact]
    public void Cca_OfAnInvertibleLinearMap_GivesAllCorrelationsOne()
    {
        var rng = new Rng(16);
        var a = Gaussian(rng, 100, 8);
        var b = Times(a, ToMatrix(Gaussian(rng, 8, 8)));
        var rho = Cca.CanonicalCorrelations(a, b);
        Assert.Equal(8, rho.Length);
        Assert.All(rho, r => Assert.Equal(1.0, r, 8));
        Assert.Equal(1.0, Cca.SvccaTopK(a, b, 10), 8);
    }

    [Fact]
    public void Cca_OfAPlantedSingleSharedDirection_FindsOneCorrelationOfOne()
    {
        var rng = new Rng(17);
        var a = Gaussian(rng, 400, 5);
        var b = Gaussian(rng, 400, 4);
        for (int i = 0; i < 400; i++) b[i, 2] = a[i, 0] - 2 * a[i, 3];
        var rho = Cca.CanonicalCorrelations(a, b);
        Assert.Equal(4, rho.Length);
        Assert.Equal(1.0, rho[0], 8);
        Assert.True(rho[1] < 0.3, $"second correlation {rho[1]}");
        // Independent sets: mean ρ sits at the sampling-noise level ≈ √(d/n), far below 1.
        Assert.True(Cca.CcaMeanCorrelation(Gaussian(rng, 400, 5), Gaussian(rng, 400, 4)) < 0.2);
    }

    // ---- reducers and null ----

    [Fact]
    public void LayerPairMax_ReturnsScoreAndArgmax_AndSwapsForSymmetricMetrics()
    {
        var rng = new Rng(18);
        var shared = Gaussian(rng, 64, 6);
        var layersA = new[] { Gaussian(rng, 64, 6), shared, Gaussian(rng, 64, 6) };
        var layersB = new[] { Gaussian(rng, 64, 5), Gaussian(rng, 64, 5), Times(shared, Orthogonal(rng, 6)) };
        var r = LayerPairMax.MaxOverLayerPairs(layersA, layersB, Cka.LinearCka);
        Assert.Equal((1, 2), (r.LayerA, r.LayerB));
        Assert.Equal(1.0, r.Score, 10);
        var swapped = LayerPairMax.MaxOverLayerPairs(layersB, layersA, Cka.LinearCka);
        Assert.Equal((2, 1), (swapped.LayerA, swapped.LayerB));
        Assert.Equal(r.Score, swapped.Score, 12);
    }

    [Fact]
    public void PermutationNull_SeparatesPlantedRelationFromIndependence()
    {
        var rng = new Rng(19);
        var a = Gaussian(rng, 128, 8);
        var b = Times(a, ToMatrix(Gaussian(rng, 8, 8)));
        var noise = Gaussian(rng, 128, 8);
        for (int i = 0; i < b.Length; i++) b[i] += 3 * noise[i];
        var planted = PermutationNull.RowPermutationNull(a, b, Cka.LinearCka, 50, rng.Child("null"));
        Assert.True(planted.Z > 5, $"z {planted.Z}");
        Assert.Equal(1.0 / 51, planted.P, 12);
        Assert.InRange(planted.NullMean, 0.02, 0.15); // biased CKA of unrelated 8-d sets at n = 128

        var indep = PermutationNull.RowPermutationNull(a, Gaussian(rng, 128, 8), Cka.LinearCka, 50, rng.Child("null2"));
        Assert.True(Math.Abs(indep.Z) < 4, $"z {indep.Z}");
        Assert.True(indep.P > 0.001);
    }
}
