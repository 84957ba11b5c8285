using Noether.Tensors;

namespace Noether.Tests.Engine;

public class GemmTests
{
    private static readonly int[] Awkward = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 67];

    public static IEnumerable<object[]> Transposes() =>
        from ta in new[] { false, true } from tb in new[] { false, true } select new object[] { ta, tb };

    [Theory, MemberData(nameof(Transposes))]
    public void Float_kernel_matches_scalar_reference_on_awkward_shapes(bool transA, bool transB)
    {
        var rng = new Rng(7);
        for (int trial = 0; trial < 60; trial++)
        {
            int m = Awkward[rng.NextInt(Awkward.Length)], n = Awkward[rng.NextInt(Awkward.Length)], k = Awkward[rng.NextInt(Awkward.Length)];
            Compare<float>(transA, transB, m, n, k, rng, accumulate: trial % 3 == 0, tol: 1e-5);
        }
    }

    [Theory, MemberData(nameof(Transposes))]
    public void Double_kernel_matches_scalar_reference_on_awkward_shapes(bool transA, bool transB)
    {
        var rng = new Rng(8);
        for (int trial = 0; trial < 60; trial++)
        {
            int m = 1 + rng.NextInt(67), n = 1 + rng.NextInt(67), k = 1 + rng.NextInt(67);
            Compare<double>(transA, transB, m, n, k, rng, accumulate: trial % 2 == 0, tol: 1e-13);
        }
    }

    [Fact]
    public void Every_size_from_1_to_67_in_each_dimension()
    {
        var rng = new Rng(9);
        for (int s = 1; s <= 67; s++)
        {
            Compare<float>(false, true, s, 5, 3, rng, false, 1e-5);
            Compare<float>(true, false, 4, s, 6, rng, false, 1e-5);
            Compare<double>(false, false, 3, 7, s, rng, true, 1e-13);
        }
    }

    [Fact]
    public void Multithreaded_result_is_bit_identical_to_single_thread()
    {
        var rng = new Rng(10);
        int m = 130, n = 150, k = 140;
        var a = Random<float>(m * k, rng); var b = Random<float>(k * n, rng);
        var c1 = new float[m * n]; var c2 = new float[m * n];
        Gemm.Multiply<float>(false, true, m, n, k, a, b, c1, threads: 1);
        Gemm.Multiply<float>(false, true, m, n, k, a, b, c2, threads: 2);
        Assert.Equal(c1, c2);
    }

    [Fact]
    public void Batched_over_members_matches_reference_for_P_1_to_5()
    {
        var rng = new Rng(11);
        for (int p = 1; p <= 5; p++)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    int m = 1 + rng.NextInt(20), n = 1 + rng.NextInt(20), k = 1 + rng.NextInt(20);
                    var a = Random<float>(p * m * k, rng); var b = Random<float>(p * k * n, rng);
                    var c = new float[p * m * n];
                    Gemm.MultiplyBatched<float>(p, ta, tb, m, n, k, a, m * k, b, k * n, c, m * n, threads: p % 2 + 1);
                    for (int q = 0; q < p; q++)
                    {
                        var r = new float[m * n];
                        Gemm.Reference<float>(ta, tb, m, n, k, a.AsSpan(q * m * k, m * k), b.AsSpan(q * k * n, k * n), r);
                        for (int i = 0; i < r.Length; i++) Assert.Equal(r[i], c[q * m * n + i], 1e-4f);
                    }
                }
    }

    [Fact]
    public void Identical_input_rows_give_bit_identical_output_rows_whatever_the_kernel_path()
    {
        // syre's symmetric trap needs identical neurons to stay identical: row tails and main blocks must agree bitwise.
        var rng = new Rng(12);
        int m = 7, n = 19, k = 13;
        var a = new float[m * k];
        var row = Random<float>(k, rng);
        for (int i = 0; i < m; i++) row.CopyTo(a, i * k);
        var b = Random<float>(k * n, rng);
        var c = new float[m * n];
        Gemm.Multiply<float>(false, false, m, n, k, a, b, c);
        for (int i = 1; i < m; i++) Assert.Equal(c.AsSpan(0, n).ToArray(), c.AsSpan(i * n, n).ToArray());
    }

    [Fact]
    public void Too_small_buffers_name_the_operation_and_sizes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Gemm.Multiply<float>(false, false, 3, 4, 5, new float[14], new float[20], new float[12]));
        Assert.Contains("Gemm", e.Message);
        Assert.Contains("3x5", e.Message);
    }

    private static void Compare<T>(bool ta, bool tb, int m, int n, int k, Rng rng, bool accumulate, double tol)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var a = Random<T>(m * k, rng); var b = Random<T>(k * n, rng);
        var c = Random<T>(m * n, rng); var r = (T[])c.Clone();
        Gemm.Multiply<T>(ta, tb, m, n, k, a, b, c, accumulate);
        Gemm.Reference<T>(ta, tb, m, n, k, a, b, r, accumulate);
        for (int i = 0; i < c.Length; i++)
        {
            double x = double.CreateChecked(c[i]), y = double.CreateChecked(r[i]);
            Assert.True(Math.Abs(x - y) <= tol * (1 + Math.Abs(y)) * Math.Sqrt(k), $"{typeof(T).Name} ta={ta} tb={tb} m={m} n={n} k={k} i={i}: {x} vs {y}");
        }
    }

    private static T[] Random<T>(int n, Rng rng) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var v = new T[n];
        rng.FillNormal<T>(v, 0, 1);
        return v;
    }
}

public class GemmWidthTests
{
    [Fact]
    public void Avx2_and_avx512_paths_give_bit_identical_results()
    {
        var rng = new Rng(21);
        for (int trial = 0; trial < 40; trial++)
        {
            bool ta = trial % 2 == 0, tb = trial % 3 == 0;
            int m = 1 + rng.NextInt(40), n = 1 + rng.NextInt(70), k = 1 + rng.NextInt(600);
            var a = new float[m * k]; var b = new float[k * n];
            rng.FillNormal<float>(a, 0, 1); rng.FillNormal<float>(b, 0, 1);
            var wide = new float[m * n]; var narrow = new float[m * n];
            Gemm.Multiply<float>(VectorWidth.Bits512, ta, tb, m, n, k, a, b, wide);
            Gemm.Multiply<float>(VectorWidth.Bits256, ta, tb, m, n, k, a, b, narrow);
            Assert.Equal(narrow, wide);
            var r = new float[m * n];
            Gemm.Reference<float>(ta, tb, m, n, k, a, b, r);
            for (int i = 0; i < r.Length; i++) Assert.True(Math.Abs(r[i] - narrow[i]) <= 1e-4 * Math.Sqrt(k) * (1 + Math.Abs(r[i])), $"m={m} n={n} k={k}");
        }
    }
}
