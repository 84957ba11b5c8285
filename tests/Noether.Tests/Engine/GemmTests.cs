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
            GemmWidthTests.Check<float>(ProcessVectorWidth.Current, transA, transB, m, n, k, rng, trial % 3 == 0, threads: 1);
        }
    }

    [Theory, MemberData(nameof(Transposes))]
    public void Double_kernel_matches_scalar_reference_on_awkward_shapes(bool transA, bool transB)
    {
        var rng = new Rng(8);
        for (int trial = 0; trial < 60; trial++)
        {
            int m = 1 + rng.NextInt(67), n = 1 + rng.NextInt(67), k = 1 + rng.NextInt(67);
            GemmWidthTests.Check<double>(ProcessVectorWidth.Current, transA, transB, m, n, k, rng, trial % 2 == 0, threads: 1);
        }
    }

    [Fact]
    public void Multithreaded_result_is_bit_identical_to_single_thread()
    {
        var rng = new Rng(10);
        int m = 130, n = 150, k = 140;
        var a = GemmWidthTests.Random<float>(m * k, rng); var b = GemmWidthTests.Random<float>(k * n, rng);
        var c1 = new float[m * n]; var c2 = new float[m * n];
        Gemm.Multiply<float>(false, true, m, n, k, a, b, c1, threads: 1);
        Gemm.Multiply<float>(false, true, m, n, k, a, b, c2, threads: 2);
        Assert.Equal(c1, c2);
    }

    [Fact]
    public void Identical_input_rows_give_bit_identical_output_rows_whatever_the_kernel_path()
    {
        // syre's symmetric trap needs identical neurons to stay identical: row tails and main blocks must agree bitwise.
        var rng = new Rng(12);
        int m = 7, n = 19, k = 13;
        var a = new float[m * k];
        var row = GemmWidthTests.Random<float>(k, rng);
        for (int i = 0; i < m; i++) row.CopyTo(a, i * k);
        var b = GemmWidthTests.Random<float>(k * n, rng);
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
}

public class GemmWidthTests
{
    private static readonly VectorWidth[] Widths = [VectorWidth.Bits256, VectorWidth.Bits512];

    public static IEnumerable<object[]> WidthsAndTransposes() =>
        from w in Widths from ta in new[] { false, true } from tb in new[] { false, true } select new object[] { w, ta, tb };

    [Fact]
    public void Avx2_and_avx512_paths_give_bit_identical_results()
    {
        // On a CPU without AVX-512 the 512-bit path runs emulated: slower, same arithmetic.
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

    [Fact]
    public void One_vector_wide_products_take_the_narrow_512_bit_tile_with_the_wide_paths_results()
    {
        // n ≤ one Vector512 (16 floats, 8 doubles) runs Kernel512Narrow: edge rows and columns, k blocks and accumulation
        // must give exactly what the 256-bit kernel gives (itself tested against the 512-bit wide tile above).
        var rng = new Rng(24);
        for (int trial = 0; trial < 60; trial++)
        {
            bool ta = trial % 2 == 0, tb = trial % 3 == 0, accumulate = trial % 4 < 2;
            int m = 1 + rng.NextInt(40), k = 1 + rng.NextInt(600);
            Same<float>(m, 1 + rng.NextInt(16), k, ta, tb, accumulate, rng);
            Same<double>(m, 1 + rng.NextInt(8), k, ta, tb, accumulate, rng);
        }

        static void Same<T>(int m, int n, int k, bool ta, bool tb, bool accumulate, Rng rng) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var a = Random<T>(m * k, rng); var b = Random<T>(k * n, rng); var c0 = Random<T>(m * n, rng);
            var narrow = (T[])c0.Clone(); var wide = (T[])c0.Clone();
            Gemm.Multiply<T>(VectorWidth.Bits512, ta, tb, m, n, k, a, b, narrow, accumulate);
            Gemm.Multiply<T>(VectorWidth.Bits256, ta, tb, m, n, k, a, b, wide, accumulate);
            Assert.Equal(wide, narrow);
        }
    }

    [Theory, MemberData(nameof(WidthsAndTransposes))]
    public void One_row_and_one_column_products_equal_that_row_or_column_of_a_full_tile_product(VectorWidth width, bool ta, bool tb)
    {
        // A single row runs the one-row tile and a single column runs transposed through it; both must give bit for bit
        // what the full tiles give for the same row or column inside a larger product (k crosses the 256-deep block).
        var rng = new Rng(25);
        for (int trial = 0; trial < 24; trial++)
        {
            int k = 1 + rng.NextInt(600), other = 2 + rng.NextInt(70);
            bool accumulate = trial % 2 == 0;
            Same<float>(width, ta, tb, k, other, accumulate, rng);
            Same<double>(width, ta, tb, k, other, accumulate, rng);
        }

        static void Same<T>(VectorWidth width, bool ta, bool tb, int k, int other, bool accumulate, Rng rng) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            // Row r of op(A) (m = 9) alone against the full product; column q of op(B) (n = 17) alone likewise.
            const int m = 9, r = 3, n = 17, q = 5;
            var a = Random<T>(m * k, rng); var b = Random<T>(k * other, rng); var c = Random<T>(m * other, rng);
            var full = (T[])c.Clone();
            Gemm.Multiply<T>(width, ta, tb, m, other, k, a, b, full, accumulate);
            var row = new T[k];
            for (int p = 0; p < k; p++) row[p] = ta ? a[p * m + r] : a[r * k + p];
            var single = c.AsSpan(r * other, other).ToArray();
            Gemm.Multiply<T>(width, ta, tb, 1, other, k, row, b, single, accumulate);
            Assert.Equal(full.AsSpan(r * other, other).ToArray(), single);

            var a2 = Random<T>(other * k, rng); var b2 = Random<T>(k * n, rng); var c2 = Random<T>(other * n, rng);
            var full2 = (T[])c2.Clone();
            Gemm.Multiply<T>(width, ta, tb, other, n, k, a2, b2, full2, accumulate);
            var column = new T[k];
            for (int p = 0; p < k; p++) column[p] = tb ? b2[q * k + p] : b2[p * n + q];
            var single2 = new T[other];
            for (int i = 0; i < other; i++) single2[i] = c2[i * n + q];
            Gemm.Multiply<T>(width, ta, tb, other, 1, k, a2, column, single2, accumulate);
            for (int i = 0; i < other; i++) Assert.Equal(full2[i * n + q], single2[i]);
        }
    }

    [Theory, MemberData(nameof(WidthsAndTransposes))]
    public void A_bias_added_in_the_epilogue_equals_adding_it_after_the_product(VectorWidth width, bool ta, bool tb)
    {
        // Every tile path (one row, one column run transposed, one vector wide, full tiles, edge tiles), one and two
        // k blocks, accumulate or not, 1-3 threads, and P = 1-5 members with their own biases, against the product
        // followed by RowOps.AddToEveryRow, bit for bit.
        var rng = new Rng(26);
        int[][] shapes = [[1, 40, 30], [37, 1, 70], [9, 12, 300], [33, 70, 20], [70, 33, 600], [128, 64, 513]];
        foreach (var shape in shapes)
            for (int variant = 0; variant < 4; variant++)
            {
                bool accumulate = variant % 2 == 1;
                int threads = 1 + variant % 3;
                Same<float>(width, ta, tb, shape[0], shape[1], shape[2], accumulate, threads, 1 + variant, rng);
                Same<double>(width, ta, tb, shape[0], shape[1], shape[2], accumulate, threads, 1 + (variant + 2) % 5, rng);
            }

        static void Same<T>(VectorWidth width, bool ta, bool tb, int m, int n, int k, bool accumulate, int threads, int members, Rng rng)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var a = Random<T>(members * m * k, rng); var b = Random<T>(members * k * n, rng);
            var c = Random<T>(members * m * n, rng); var bias = Random<T>(members * n, rng);
            var fused = (T[])c.Clone(); var after = (T[])c.Clone();
            Gemm.MultiplyBatched<T>(width, members, ta, tb, m, n, k, a, m * k, b, k * n, fused, m * n, accumulate, threads, bias);
            Gemm.MultiplyBatched<T>(width, members, ta, tb, m, n, k, a, m * k, b, k * n, after, m * n, accumulate, threads);
            for (int p = 0; p < members; p++) RowOps.AddToEveryRow(after.AsSpan(p * m * n, m * n), bias.AsSpan(p * n, n));
            Assert.Equal(after, fused);
            if (members > 1) return;
            var single = (T[])c.Clone();
            Gemm.Multiply<T>(width, ta, tb, m, n, k, a, b, single, accumulate, threads, bias);
            Assert.Equal(after, single);
        }
    }

    [Theory, MemberData(nameof(WidthsAndTransposes))]
    public void An_sgd_step_in_the_epilogue_equals_the_product_then_the_separate_step(VectorWidth width, bool ta, bool tb)
    {
        // Every tile path (one row, one column run transposed, one vector wide, full tiles, edge tiles, masked stores),
        // one to three k blocks and 1-3 threads (products split by column panels or by row tiles, and by one block of
        // rows per thread), with and without weight decay, against Multiply followed by RowOps.SgdStep, bit for bit: the
        // gradient C and the new θ.
        var rng = new Rng(27);
        int[][] shapes = [[1, 40, 30], [37, 1, 70], [9, 12, 300], [13, 5, 7], [33, 70, 20], [64, 64, 32], [70, 33, 600], [300, 20, 200], [24, 300, 200]];
        foreach (var shape in shapes)
            foreach (double wd in new[] { 0.0, 0.3 })
            {
                Same<float>(width, ta, tb, shape[0], shape[1], shape[2], wd, 1 + shape[0] % 3, rng);
                Same<double>(width, ta, tb, shape[0], shape[1], shape[2], wd, 1 + shape[1] % 3, rng);
            }

        static void Same<T>(VectorWidth width, bool ta, bool tb, int m, int n, int k, double wd, int threads, Rng rng)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var a = Random<T>(m * k, rng); var b = Random<T>(k * n, rng); var theta = Random<T>(m * n, rng);
            T lr = T.CreateChecked(0.37), twd = T.CreateChecked(wd);
            var expectedGrad = new T[m * n]; var expected = (T[])theta.Clone();
            Gemm.Multiply<T>(width, ta, tb, m, n, k, a, b, expectedGrad);
            RowOps.SgdStep<T>(expectedGrad, expected, lr, twd);
            foreach (bool rowBlocks in new[] { false, true })
            {
                var grad = new T[m * n]; var stepped = (T[])theta.Clone();
                Gemm.MultiplyThenSgd<T>(width, ta, tb, m, n, k, a, b, grad, stepped, lr, twd, rowBlocks ? threads + 1 : threads, rowBlocks);
                Assert.Equal(expectedGrad, grad);
                Assert.Equal(expected, stepped);
                // Without keeping the gradient: the same θ, and within one k block C is never written (the one-column
                // product, run as its transpose with the step afterwards, does write it).
                var untouched = Enumerable.Repeat(T.NaN, m * n).ToArray(); stepped = (T[])theta.Clone();
                Gemm.MultiplyThenSgd<T>(width, ta, tb, m, n, k, a, b, untouched, stepped, lr, twd, rowBlocks ? threads + 1 : threads, rowBlocks, keepGradient: false);
                Assert.Equal(expected, stepped);
                if (k <= 256 /* one k block, BlockedGemm.KC */ && (n > 1 || m == 1)) Assert.All(untouched, v => Assert.True(T.IsNaN(v)));
            }
        }
    }

    [Fact]
    public void A_theta_smaller_than_the_product_is_refused_with_its_size()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Gemm.MultiplyThenSgd<float>(ProcessVectorWidth.Current, false, false, 2, 3, 4,
            new float[8], new float[12], new float[6], new float[5], 0.1f, 0f));
        Assert.Contains("θ has 5 elements, needs 2x3", e.Message);
    }

    [Fact]
    public void A_bias_shorter_than_a_row_is_refused_with_its_size()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Gemm.Multiply<float>(false, false, 2, 3, 4, new float[8], new float[12], new float[6], bias: new float[2]));
        Assert.Contains("bias has 2 elements, needs 3", e.Message);
    }

    [Theory, MemberData(nameof(WidthsAndTransposes))]
    public void Every_size_from_1_to_67_matches_the_reference_at_each_width(VectorWidth width, bool ta, bool tb)
    {
        var rng = new Rng(22);
        for (int s = 1; s <= 67; s++)
        {
            Check<float>(width, ta, tb, s, 1 + rng.NextInt(67), 1 + rng.NextInt(67), rng, accumulate: s % 2 == 0, threads: 1);
            Check<float>(width, ta, tb, 1 + rng.NextInt(67), s, 1 + rng.NextInt(67), rng, accumulate: s % 3 == 0, threads: 1);
            Check<double>(width, ta, tb, 1 + rng.NextInt(67), 1 + rng.NextInt(67), s, rng, accumulate: s % 2 == 1, threads: 1);
        }
    }

    public static IEnumerable<object[]> BlockingShapes() =>
        from w in Widths
        from shape in new[]
        {
            // (b)'s forward, weight-gradient and input-gradient products; then shapes that cross the
            // packed-A, k-block, row-block and column-block boundaries.
            new[] { 128, 512, 784, 0, 1 }, new[] { 512, 784, 128, 1, 0 }, new[] { 128, 784, 512, 0, 0 }, new[] { 128, 10, 512, 0, 1 },
            new[] { 150, 161, 600, 0, 0 }, new[] { 301, 70, 257, 1, 1 }, new[] { 37, 1100, 300, 0, 1 }, new[] { 145, 200, 513, 1, 0 },
        }
        select new object[] { w, shape[0], shape[1], shape[2], shape[3] == 1, shape[4] == 1 };

    [Theory, MemberData(nameof(BlockingShapes))]
    public void Blocked_shapes_match_the_reference_and_are_bit_identical_across_widths_and_threads(VectorWidth width, int m, int n, int k, bool ta, bool tb)
    {
        Check<float>(width, ta, tb, m, n, k, new Rng(23 + m), accumulate: false, threads: 1);
        var rng = new Rng(40 + m);
        var a = Random<float>(m * k, rng); var b = Random<float>(k * n, rng);
        var single = new float[m * n];
        Gemm.Multiply<float>(width, ta, tb, m, n, k, a, b, single, threads: 1);
        foreach (int threads in new[] { 2, 3 })
            foreach (var other in Widths)
            {
                var c = new float[m * n];
                Gemm.Multiply<float>(other, ta, tb, m, n, k, a, b, c, threads: threads);
                Assert.Equal(single, c);
            }
    }

    [Theory, MemberData(nameof(WidthsAndTransposes))]
    public void Batched_members_match_the_reference_and_single_gemms_for_P_1_to_5(VectorWidth width, bool ta, bool tb)
    {
        var rng = new Rng(24);
        for (int p = 1; p <= 5; p++)
            foreach (int threads in new[] { 1, 2 })
            {
                int m = 1 + rng.NextInt(67), n = 1 + rng.NextInt(67), k = 1 + rng.NextInt(67);
                var a = Random<float>(p * m * k, rng); var b = Random<float>(p * k * n, rng);
                var c = new float[p * m * n];
                Gemm.MultiplyBatched<float>(width, p, ta, tb, m, n, k, a, m * k, b, k * n, c, m * n, threads: threads);
                for (int q = 0; q < p; q++)
                {
                    var single = new float[m * n];
                    Gemm.Multiply<float>(width, ta, tb, m, n, k, a.AsSpan(q * m * k, m * k), b.AsSpan(q * k * n, k * n), single);
                    Assert.Equal(single, c.AsSpan(q * m * n, m * n).ToArray());
                    var r = new float[m * n];
                    Gemm.Reference<float>(ta, tb, m, n, k, a.AsSpan(q * m * k, m * k), b.AsSpan(q * k * n, k * n), r);
                    for (int i = 0; i < r.Length; i++) Assert.True(Math.Abs(r[i] - single[i]) <= 1e-4 * Math.Sqrt(k) * (1 + Math.Abs(r[i])));
                }
            }
    }

    [Fact]
    public void Process_width_setting_accepts_256_and_names_the_variable_when_wrong()
    {
        Assert.Equal(VectorWidth.Bits256, ProcessVectorWidth.Choose("256"));
        Assert.True(ProcessVectorWidth.IsAccelerated(ProcessVectorWidth.Choose(null)));
        var e = Assert.Throws<ArgumentException>(() => ProcessVectorWidth.Choose("avx"));
        Assert.Contains("NOETHER_SIMD", e.Message);
        Assert.Contains("256 or 512", e.Message);
        if (!ProcessVectorWidth.IsAccelerated(VectorWidth.Bits512))
            Assert.Contains("no hardware 512-bit", Assert.Throws<ArgumentException>(() => ProcessVectorWidth.Choose("512")).Message);
    }

    /// <summary>One GEMM at this width against the scalar reference, with a tolerance growing as √k.</summary>
    internal static void Check<T>(VectorWidth width, bool ta, bool tb, int m, int n, int k, Rng rng, bool accumulate, int threads)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var a = Random<T>(m * k, rng); var b = Random<T>(k * n, rng);
        var c = Random<T>(m * n, rng); var r = (T[])c.Clone();
        Gemm.Multiply<T>(width, ta, tb, m, n, k, a, b, c, accumulate, threads);
        Gemm.Reference<T>(ta, tb, m, n, k, a, b, r, accumulate);
        double tol = typeof(T) == typeof(float) ? 1e-5 : 1e-13;
        for (int i = 0; i < c.Length; i++)
        {
            double x = double.CreateChecked(c[i]), y = double.CreateChecked(r[i]);
            Assert.True(Math.Abs(x - y) <= tol * (1 + Math.Abs(y)) * Math.Sqrt(k), $"{width} {typeof(T).Name} ta={ta} tb={tb} m={m} n={n} k={k} i={i}: {x} vs {y}");
        }
    }

    internal static T[] Random<T>(int n, Rng rng) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var v = new T[n];
        rng.FillNormal<T>(v, 0, 1);
        return v;
    }
}
