using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using Noether.Probes;
using Noether.Runs;
using Noether.Tensors;
using Xunit;
using static Noether.Tests.Probes.ProbeTestData;
using R = Noether.Tests.Probes.RepresentationSimilarityTests;

namespace Noether.Tests.Probes;

/// <summary>
/// MetricCommand.Run on NPY files against independent implementations of the same formulas (explicit
/// matrices, full SVDs, full sorts), on random and planted-relation matrices; and its user errors.
/// </summary>
public class MetricCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("noether-metric-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Save(string name, Tensor<double> t)
    {
        var p = Path.Combine(_dir, name);
        Npy.Write(p, t);
        return p;
    }

    private static Matrix<double> Normalised(Tensor<double> t)
    {
        var m = ToMatrix(t);
        for (int i = 0; i < m.RowCount; i++) m.SetRow(i, m.Row(i) / m.Row(i).L2Norm());
        return m;
    }

    private static double NaiveCknna(Tensor<double> a, Tensor<double> b, int k)
    {
        var A = Normalised(a); var B = Normalised(b);
        var K = A * A.Transpose(); var L = B * B.Transpose();
        int n = K.RowCount;
        Matrix<double> TopMask(Matrix<double> s)
        {
            var mask = Matrix<double>.Build.Dense(n, n);
            for (int i = 0; i < n; i++)
                foreach (var j in Enumerable.Range(0, n).Where(j => j != i).OrderByDescending(j => s[i, j]).Take(k)) mask[i, j] = 1;
            return mask;
        }
        var mk = TopMask(K); var ml = TopMask(L); var m = mk.PointwiseMultiply(ml);
        double kl = R.NaiveHsicUnbiased(K.PointwiseMultiply(m), L.PointwiseMultiply(m));
        double kk = R.NaiveHsicUnbiased(K.PointwiseMultiply(mk), K.PointwiseMultiply(mk));
        double ll = R.NaiveHsicUnbiased(L.PointwiseMultiply(ml), L.PointwiseMultiply(ml));
        return kl / (Math.Sqrt(kk * ll) + 1e-6);
    }

    /// <summary>Mean canonical correlation via thin QR bases and a full SVD (independent of the eigen-whitening route).</summary>
    private static double NaiveCca(Matrix<double> a, Matrix<double> b, int keepA, int keepB)
    {
        Matrix<double> Basis(Matrix<double> x, int keep) => x.Svd(true).U.SubMatrix(0, x.RowCount, 0, keep);
        var s = (Basis(a, keepA).Transpose() * Basis(b, keepB)).Svd(false).S;
        return s.Take(Math.Min(keepA, keepB)).Average();
    }

    private static Matrix<double> Centred(Tensor<double> t, bool zScore)
    {
        var m = ToMatrix(t);
        for (int j = 0; j < m.ColumnCount; j++)
        {
            var c = m.Column(j) - m.Column(j).Average();
            if (zScore) c /= Math.Sqrt(c.DotProduct(c) / (m.RowCount - 1)) + 1e-8;
            m.SetColumn(j, c);
        }
        return m;
    }

    public static TheoryData<string> Names => new() { "cka", "cka-unbiased", "cka-rbf", "mknn", "cknna", "svcca", "cca" };

    [Theory]
    [MemberData(nameof(Names))]
    public void Run_AgreesWithIndependentReference_OnRandomAndPlantedMatrices(string name)
    {
        var rng = new Rng(7);
        var a = Gaussian(rng, 60, 6);
        var planted = Times(a, ToMatrix(Gaussian(rng, 6, 8)));
        var noise = Gaussian(rng, 60, 8);
        for (int i = 0; i < planted.Length; i++) planted[i] += 0.7 * noise[i];
        var random = Gaussian(rng, 60, 8);
        var pa = Save("a.npy", a);
        foreach (var (b, tag) in new[] { (planted, "planted"), (random, "random") })
        {
            var pb = Save(tag + ".npy", b);
            double expected = name switch
            {
                "cka" => R.NaiveLinearCka(a, b),
                "cka-unbiased" => Unbiased(a, b),
                "cka-rbf" => RbfCka.RbfCkaMedian(a, b, 1.0), // checked against a naive kernel in RepresentationSimilarityTests
                "mknn" => R.NaiveMutualKnn(a, b, 10),
                "cknna" => NaiveCknna(a, b, 10),
                "svcca" => NaiveCca(Centred(a, true), Centred(b, true), 6, 8),
                _ => NaiveCca(Centred(a, false), Centred(b, false), 6, 8),
            };
            var result = MetricCommand.Run(name, pa, pb, new MetricOptions());
            Assert.Equal(name, result.Metric);
            Assert.Equal(60, result.N);
            Assert.Equal(expected, result.Value, 9);
            if (tag == "planted" && name != "cca") Assert.True(result.Value > 0.2, $"{name} planted {result.Value}");
        }

        static double Unbiased(Tensor<double> a, Tensor<double> b)
        {
            var A = ToMatrix(a); var B = ToMatrix(b);
            var k = A * A.Transpose(); var l = B * B.Transpose();
            return R.NaiveHsicUnbiased(k, l) / Math.Sqrt(R.NaiveHsicUnbiased(k, k) * R.NaiveHsicUnbiased(l, l));
        }
    }

    [Fact]
    public void Run_WithNull_ReportsStatsAndJson()
    {
        var rng = new Rng(8);
        var a = Gaussian(rng, 50, 4);
        var pa = Save("a.npy", a);
        var pb = Save("b.npy", Times(a, Orthogonal(rng, 4)));
        var r = MetricCommand.Run("mknn", pa, pb, new MetricOptions(K: 5, NullPermutations: 20, Seed: 3));
        Assert.Equal(1.0, r.Value);
        Assert.NotNull(r.Null);
        Assert.Equal(1.0 / 21, r.Null!.P, 12);
        using var doc = JsonDocument.Parse(r.ToJson());
        var root = doc.RootElement;
        Assert.Equal("mknn", root.GetProperty("metric").GetString());
        Assert.Equal(1.0, root.GetProperty("value").GetDouble());
        Assert.Equal(5, root.GetProperty("k").GetInt32());
        Assert.Equal(20, root.GetProperty("permutations").GetInt32());
        Assert.Equal(r.Null.Z, root.GetProperty("z").GetDouble());
        // Same seed, same null.
        Assert.Equal(r.Null, MetricCommand.Run("mknn", pa, pb, new MetricOptions(K: 5, NullPermutations: 20, Seed: 3)).Null);
        var plain = JsonDocument.Parse(MetricCommand.Run("cka", pa, pb, new MetricOptions()).ToJson()).RootElement;
        Assert.False(plain.TryGetProperty("z", out _));
        Assert.Equal(1.0, plain.GetProperty("value").GetDouble(), 10);
    }

    [Fact]
    public void Run_UserErrors_AreOneLineProbeInputExceptionsNamingTheFile()
    {
        var rng = new Rng(9);
        var pa = Save("a.npy", Gaussian(rng, 20, 3));
        var pb = Save("b.npy", Gaussian(rng, 21, 3));
        var e = Assert.Throws<ProbeInputException>(() => MetricCommand.Run("cka", pa, pb, new MetricOptions()));
        Assert.Contains(pb, e.Message);
        Assert.Contains("21 rows", e.Message);

        var bad = Path.Combine(_dir, "bad.npy");
        File.WriteAllBytes(bad, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        e = Assert.Throws<ProbeInputException>(() => MetricCommand.Run("cka", pa, bad, new MetricOptions()));
        Assert.Contains(bad, e.Message);
        Assert.Contains("bad magic", e.Message);

        var vec = Save("v.npy", Tensor<double>.FromDoubles([1, 2, 3], 3));
        e = Assert.Throws<ProbeInputException>(() => MetricCommand.Run("cka", vec, pa, new MetricOptions()));
        Assert.Contains("expected a 2-D", e.Message);

        e = Assert.Throws<ProbeInputException>(() => MetricCommand.Run("mknn", pa, pa, new MetricOptions(K: 20)));
        Assert.Contains("--k 20", e.Message);
        Assert.Throws<ProbeInputException>(() => MetricCommand.Run("nope", pa, pa, new MetricOptions()));
        Assert.Throws<ProbeInputException>(() => MetricCommand.Run("cka", pa, Path.Combine(_dir, "missing.npy"), new MetricOptions()));
        Assert.All(new[] { e.Message }, m => Assert.DoesNotContain('\n', m));
    }
}
