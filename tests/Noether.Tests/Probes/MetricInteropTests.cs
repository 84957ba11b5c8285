using Noether.Probes;
using Noether.Runs;
using Noether.Tensors;

namespace Noether.Tests.Probes;

/// <summary>platonic-rep interop of `noether metric`: its metric names, its normalisation pipeline, its N×L×D layer search.</summary>
public class MetricInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("noether-interop-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Tensor<double> Random(int n, int d, ulong seed)
    {
        var t = new Tensor<double>(n, d);
        new Rng(seed).FillNormal(t.Span, 0, 1);
        for (int i = 0; i < n; i++) t.Span[i * d] += 3 * (i % 5); // a shared structure plus large values to clip
        return t;
    }

    private string Save(string name, Tensor<double> t)
    {
        string path = Path.Combine(_dir, name);
        Npy.Write(path, t);
        return path;
    }

    [Fact]
    public void Platonic_rep_names_give_the_same_numbers_as_ours()
    {
        string a = Save("a.npy", Random(60, 8, 1)), b = Save("b.npy", Random(60, 12, 2));
        var o = new MetricOptions();
        Assert.Equal(MetricCommand.Run("mknn", a, b, o).Value, MetricCommand.Run("mutual_knn", a, b, o).Value);
        Assert.Equal(MetricCommand.Run("cka-unbiased", a, b, o).Value, MetricCommand.Run("unbiased_cka", a, b, o).Value);
        Assert.Equal("mknn", MetricCommand.Run("mutual_knn", a, b, o).Metric);
        Assert.Contains("unknown metric 'lcs_knn'", Assert.Throws<ProbeInputException>(() => MetricCommand.Run("lcs_knn", a, b, o)).Message);
    }

    [Fact]
    public void Prh_normalisation_is_the_row_quantile_clip_then_unit_rows_and_l2_is_unit_rows()
    {
        var x = Random(60, 8, 3); var y = Random(60, 12, 4);
        string a = Save("a.npy", x), b = Save("b.npy", y);
        // By hand: τ = mean over rows of each row's 0.95-quantile of |value| (linear interpolation), clamp, unit rows.
        Tensor<double> Prh(Tensor<double> t)
        {
            int n = t.Shape[0], d = t.Shape[1];
            double tau = 0;
            for (int i = 0; i < n; i++)
            {
                var row = Enumerable.Range(0, d).Select(j => Math.Abs(t[i, j])).Order().ToArray();
                double pos = 0.95 * (d - 1);
                int lo = (int)pos;
                tau += row[lo] + (pos - lo) * (row[Math.Min(lo + 1, d - 1)] - row[lo]);
            }
            tau /= n;
            var c = new Tensor<double>(n, d);
            for (int i = 0; i < n; i++)
            {
                var row = Enumerable.Range(0, d).Select(j => Math.Clamp(t[i, j], -tau, tau)).ToArray();
                double norm = Math.Sqrt(row.Sum(v => v * v));
                for (int j = 0; j < d; j++) c[i, j] = row[j] / norm;
            }
            return c;
        }
        double expected = Cka.LinearCka(Prh(x), Prh(y));
        Assert.Equal(expected, MetricCommand.Run("cka", a, b, new MetricOptions(Normalize: "prh")).Value, 12);
        double raw = MetricCommand.Run("cka", a, b, new MetricOptions()).Value;
        Assert.NotEqual(raw, expected, 6); // the pipeline matters, which is why it is an option
        Assert.Equal(MetricCommand.Run("mknn", a, b, new MetricOptions()).Value, MetricCommand.Run("mknn", a, b, new MetricOptions(Normalize: "l2")).Value);
        Assert.Contains("--normalize zscore", Assert.Throws<ProbeInputException>(() => MetricCommand.Run("cka", a, b, new MetricOptions(Normalize: "zscore"))).Message);
    }

    [Fact]
    public void Layer_stacks_give_an_la_by_lb_matrix_whose_best_pair_is_the_shared_layer()
    {
        int n = 40, d = 6;
        var shared = Random(n, d, 5);
        // A has 3 layers (noise, shared, noise); B has 2 (noise, shared·2): the best pair is (1, 1) with CKA 1.
        var a = new Tensor<double>(n, 3, d); var b = new Tensor<double>(n, 2, d);
        var noise = new[] { Random(n, d, 6), Random(n, d, 7), Random(n, d, 8) };
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                a[i, 0, j] = noise[0][i, j]; a[i, 1, j] = shared[i, j]; a[i, 2, j] = noise[1][i, j];
                b[i, 0, j] = noise[2][i, j]; b[i, 1, j] = 2 * shared[i, j];
            }
        string pa = Save("a3.npy", a), pb = Save("b3.npy", b);
        var scores = MetricCommand.RunLayers("cka", pa, pb, new MetricOptions());
        Assert.Equal(3, scores.Scores.Length);
        Assert.Equal(2, scores.Scores[0].Length);
        var (best, la, lb) = scores.Best;
        Assert.Equal((1, 1), (la, lb));
        Assert.Equal(1.0, best, 12);
        Assert.Equal(Cka.LinearCka(noise[0], noise[2]), scores.Scores[0][0], 12);
        Assert.Contains("\"best\":{\"score\":", scores.ToJson());
        Assert.Contains("use --layers", Assert.Throws<ProbeInputException>(() => MetricCommand.Run("cka", pa, pb, new MetricOptions())).Message);
    }
}
