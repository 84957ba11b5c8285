using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Noether.Tensors;

/// <summary>
/// General matrix multiply on row-major spans: C (m×n) = op(A)·op(B) [+ C], where op(A) is m×k
/// (A stored k×m when transposed) and op(B) is k×n (B stored n×k when transposed).
/// B is packed into panels of 2 SIMD vectors; register-blocked FMA micro-kernels of 6, 4 and 1
/// rows walk them. Every output element is one FMA chain over k in order, whatever kernel path computes
/// it, so identical rows/columns of the inputs give bit-identical outputs (needed by syre).
/// </summary>
public static class Gemm
{
    private const int MR = 4;
    /// <summary>Depth of one k block: a packed panel of KC × (2 vectors) stays in the fast caches.</summary>
    private const int KC = 256;
    /// <summary>Below this many multiply-adds a GEMM runs on one thread even when more are allowed.</summary>
    private const long ParallelThreshold = 1L << 18;

    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate = false, int threads = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(transA, transB, m, n, k, a.Length, b.Length, c.Length);
        if (m == 0 || n == 0) return;
        if (k == 0) { if (!accumulate) c[..(m * n)].Clear(); return; }
        if (!Vector256.IsHardwareAccelerated || !Vector256<T>.IsSupported)
        {
            Reference(transA, transB, m, n, k, a, b, c, accumulate);
            return;
        }
        // The kernel width is decided once per call, so flipping Only256 meanwhile cannot mix panel widths.
        bool wide = Uses512<T>();
        int nr = wide ? 2 * Vector512<T>.Count : 2 * Vector256<T>.Count;
        int panels = (n + nr - 1) / nr;
        if (threads <= 1 || panels == 1 || (long)m * n * k < ParallelThreshold)
        {
            for (int jp = 0; jp < panels; jp++)
                Panel(transA, transB, m, n, k, a, b, c, accumulate, jp, wide);
            return;
        }
        ParallelPanels(transA, transB, m, n, k, a, b, c, accumulate, threads, panels, wide);
    }

    // Parallel paths live in their own methods: a lambda that captures parameters makes the compiler
    // allocate its closure at method entry, which would put an allocation on the serial hot path.
    private static unsafe void ParallelPanels<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate, int threads, int panels, bool wide)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* pa = a) fixed (T* pb = b) fixed (T* pc = c)
        {
            var args = new PanelArgs<T>(transA, transB, m, n, k, (IntPtr)pa, a.Length, (IntPtr)pb, b.Length, (IntPtr)pc, c.Length, accumulate, wide);
            Parallel.For(0, panels, new ParallelOptions { MaxDegreeOfParallelism = threads }, args.Run);
        }
    }

    /// <summary>P independent GEMMs over member-strided spans (population members), optionally in parallel over members.</summary>
    public static void MultiplyBatched<T>(int members, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, int strideA, ReadOnlySpan<T> b, int strideB, Span<T> c, int strideC,
        bool accumulate = false, int threads = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (members <= 0) return;
        if (threads <= 1 || members == 1)
        {
            for (int p = 0; p < members; p++)
                Multiply(transA, transB, m, n, k, a.Slice(p * strideA, m * k), b.Slice(p * strideB, n * k), c.Slice(p * strideC, m * n), accumulate, members == 1 ? threads : 1);
            return;
        }
        ParallelMembers(members, transA, transB, m, n, k, a, strideA, b, strideB, c, strideC, accumulate, threads);
    }

    private static unsafe void ParallelMembers<T>(int members, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, int strideA, ReadOnlySpan<T> b, int strideB, Span<T> c, int strideC, bool accumulate, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* pa = a) fixed (T* pb = b) fixed (T* pc = c)
        {
            IntPtr ia = (IntPtr)pa, ib = (IntPtr)pb, ic = (IntPtr)pc;
            int la = a.Length, lb = b.Length, lc = c.Length;
            Parallel.For(0, members, new ParallelOptions { MaxDegreeOfParallelism = threads }, p =>
            {
                var sa = new ReadOnlySpan<T>((T*)ia, la).Slice(p * strideA, m * k);
                var sb = new ReadOnlySpan<T>((T*)ib, lb).Slice(p * strideB, n * k);
                var sc = new Span<T>((T*)ic, lc).Slice(p * strideC, m * n);
                Multiply(transA, transB, m, n, k, sa, sb, sc, accumulate, 1);
            });
        }
    }

    /// <summary>Scalar reference: the plain triple loop every vectorised kernel is tested against.</summary>
    public static void Reference<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(transA, transB, m, n, k, a.Length, b.Length, c.Length);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++)
                    s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = accumulate ? c[i * n + j] + s : s;
            }
    }

    private static void Check(bool transA, bool transB, int m, int n, int k, int la, int lb, int lc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ShapeMismatchException($"Gemm: negative size m={m} n={n} k={k}");
        if (la < m * k) throw new ShapeMismatchException($"Gemm: A has {la} elements, op(A) needs {m}x{k}{(transA ? " (stored transposed)" : "")}");
        if (lb < k * n) throw new ShapeMismatchException($"Gemm: B has {lb} elements, op(B) needs {k}x{n}{(transB ? " (stored transposed)" : "")}");
        if (lc < m * n) throw new ShapeMismatchException($"Gemm: C has {lc} elements, needs {m}x{n}");
    }

    private sealed unsafe class PanelArgs<T>(bool transA, bool transB, int m, int n, int k,
        IntPtr a, int la, IntPtr b, int lb, IntPtr c, int lc, bool accumulate, bool wide)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int jp) => Panel(transA, transB, m, n, k,
            new ReadOnlySpan<T>((T*)a, la), new ReadOnlySpan<T>((T*)b, lb), new Span<T>((T*)c, lc), accumulate, jp, wide);
    }

    private static class PackBuffer<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? _buffer;
        public static T[] Get(int length)
        {
            var b = _buffer;
            if (b == null || b.Length < length) _buffer = b = new T[Math.Max(length, 1024)];
            return b;
        }
    }

    /// <summary>Whether the 512-bit kernels run (AVX-512 present). Per-element arithmetic is the same FMA chain at either width.</summary>
    public static bool Uses512<T>() where T : unmanaged => !Only256 && Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported;

    /// <summary>
    /// Restricts the kernels to 256-bit vectors (to test or benchmark the AVX2 path on an AVX-512 machine).
    /// Both paths compute every element with the same FMA chain, so flipping it never changes a result.
    /// </summary>
    public static bool Only256 { get; set; }

    private static void Panel<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate, int jp, bool wide)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = wide ? 2 * Vector512<T>.Count : 2 * Vector256<T>.Count;
        int j0 = jp * nr, cols = Math.Min(nr, n - j0);
        var packed = PackBuffer<T>.Get(Math.Min(k, KC) * nr);
        int rsA = transA ? 1 : k, csA = transA ? m : 1;
        ref T pb = ref MemoryMarshal.GetArrayDataReference(packed);
        // Walk k in blocks of KC so the packed panel stays in L1/L2; each block's products are added to C.
        for (int k0 = 0; k0 < k; k0 += KC)
        {
            int kc = Math.Min(KC, k - k0);
            // Pack op(B)[k0..k0+kc, j0..j0+nr) as kc rows of nr values, zero-padded on the right.
            if (!transB)
            {
                for (int p = 0; p < kc; p++)
                {
                    var dst = packed.AsSpan(p * nr, nr);
                    b.Slice((k0 + p) * n + j0, cols).CopyTo(dst);
                    if (cols < nr) dst[cols..].Clear();
                }
            }
            else
            {
                if (cols < nr) packed.AsSpan(0, kc * nr).Clear();
                for (int j = 0; j < cols; j++)
                {
                    var src = b.Slice((j0 + j) * k + k0, kc);
                    for (int p = 0; p < kc; p++) packed[p * nr + j] = src[p];
                }
            }
            ref T pa = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), (nint)k0 * csA);
            bool acc = accumulate || k0 > 0;
            int i = 0;
            if (wide)
            {
                for (; i + 6 <= m; i += 6)
                    Wide.Kernel6(ref pa, i, rsA, csA, ref pb, kc, nr, c, n, j0, cols, acc);
                for (; i < m; i++)
                    Wide.Kernel1(ref pa, i, rsA, csA, ref pb, kc, nr, c, n, j0, cols, acc);
                continue;
            }
            for (; i + 6 <= m; i += 6)
                Kernel6(ref pa, i, rsA, csA, ref pb, kc, nr, c, n, j0, cols, acc);
            for (; i + MR <= m; i += MR)
                Kernel4(ref pa, i, rsA, csA, ref pb, kc, nr, c, n, j0, cols, acc);
            for (; i < m; i++)
                Kernel1(ref pa, i, rsA, csA, ref pb, kc, nr, c, n, j0, cols, acc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> MulAdd<T>(Vector256<T> x, Vector256<T> y, Vector256<T> acc) where T : unmanaged
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Fma.MultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Fma.MultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
        }
        return x * y + acc;
    }

    /// <summary>6 rows × 2 vectors: 12 accumulators, 2 panel loads and 6 broadcasts per k (the register budget of AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6<T>(ref T a, int i, int rsA, int csA, ref T bp, int k, int nr,
        Span<T> c, int n, int j0, int cols, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                     c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint r0 = (nint)i * rsA, r1 = r0 + rsA, r2 = r1 + rsA, r3 = r2 + rsA, r4 = r3 + rsA, r5 = r4 + rsA;
        for (int p = 0; p < k; p++)
        {
            nint off = (nint)p * nr;
            var b0 = Vector256.LoadUnsafe(ref bp, (nuint)off);
            var b1 = Vector256.LoadUnsafe(ref bp, (nuint)(off + w));
            nint ap = (nint)p * csA;
            var a0 = Vector256.Create(Unsafe.Add(ref a, r0 + ap));
            c00 = MulAdd(a0, b0, c00); c01 = MulAdd(a0, b1, c01);
            var a1 = Vector256.Create(Unsafe.Add(ref a, r1 + ap));
            c10 = MulAdd(a1, b0, c10); c11 = MulAdd(a1, b1, c11);
            var a2 = Vector256.Create(Unsafe.Add(ref a, r2 + ap));
            c20 = MulAdd(a2, b0, c20); c21 = MulAdd(a2, b1, c21);
            var a3 = Vector256.Create(Unsafe.Add(ref a, r3 + ap));
            c30 = MulAdd(a3, b0, c30); c31 = MulAdd(a3, b1, c31);
            var a4 = Vector256.Create(Unsafe.Add(ref a, r4 + ap));
            c40 = MulAdd(a4, b0, c40); c41 = MulAdd(a4, b1, c41);
            var a5 = Vector256.Create(Unsafe.Add(ref a, r5 + ap));
            c50 = MulAdd(a5, b0, c50); c51 = MulAdd(a5, b1, c51);
        }
        Store(c, (i + 0) * n + j0, cols, c00, c01, accumulate);
        Store(c, (i + 1) * n + j0, cols, c10, c11, accumulate);
        Store(c, (i + 2) * n + j0, cols, c20, c21, accumulate);
        Store(c, (i + 3) * n + j0, cols, c30, c31, accumulate);
        Store(c, (i + 4) * n + j0, cols, c40, c41, accumulate);
        Store(c, (i + 5) * n + j0, cols, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4<T>(ref T a, int i, int rsA, int csA, ref T bp, int k, int nr,
        Span<T> c, int n, int j0, int cols, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default,
                     c20 = default, c21 = default, c30 = default, c31 = default;
        nint r0 = (nint)i * rsA, r1 = r0 + rsA, r2 = r1 + rsA, r3 = r2 + rsA;
        for (int p = 0; p < k; p++)
        {
            nint off = (nint)p * nr;
            var b0 = Vector256.LoadUnsafe(ref bp, (nuint)off);
            var b1 = Vector256.LoadUnsafe(ref bp, (nuint)(off + w));
            nint ap = (nint)p * csA;
            var a0 = Vector256.Create(Unsafe.Add(ref a, r0 + ap));
            var a1 = Vector256.Create(Unsafe.Add(ref a, r1 + ap));
            var a2 = Vector256.Create(Unsafe.Add(ref a, r2 + ap));
            var a3 = Vector256.Create(Unsafe.Add(ref a, r3 + ap));
            c00 = MulAdd(a0, b0, c00); c01 = MulAdd(a0, b1, c01);
            c10 = MulAdd(a1, b0, c10); c11 = MulAdd(a1, b1, c11);
            c20 = MulAdd(a2, b0, c20); c21 = MulAdd(a2, b1, c21);
            c30 = MulAdd(a3, b0, c30); c31 = MulAdd(a3, b1, c31);
        }
        Store(c, (i + 0) * n + j0, cols, c00, c01, accumulate);
        Store(c, (i + 1) * n + j0, cols, c10, c11, accumulate);
        Store(c, (i + 2) * n + j0, cols, c20, c21, accumulate);
        Store(c, (i + 3) * n + j0, cols, c30, c31, accumulate);
    }

    private static void Kernel1<T>(ref T a, int i, int rsA, int csA, ref T bp, int k, int nr,
        Span<T> c, int n, int j0, int cols, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        Vector256<T> c0 = default, c1 = default;
        nint r0 = (nint)i * rsA;
        for (int p = 0; p < k; p++)
        {
            nint off = (nint)p * nr;
            var a0 = Vector256.Create(Unsafe.Add(ref a, r0 + (nint)p * csA));
            c0 = MulAdd(a0, Vector256.LoadUnsafe(ref bp, (nuint)off), c0);
            c1 = MulAdd(a0, Vector256.LoadUnsafe(ref bp, (nuint)(off + w)), c1);
        }
        Store(c, i * n + j0, cols, c0, c1, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(Span<T> c, int start, int cols, Vector256<T> v0, Vector256<T> v1, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        if (cols == 2 * w)
        {
            ref T dst = ref c[start];
            if (accumulate)
            {
                v0 += Vector256.LoadUnsafe(ref dst);
                v1 += Vector256.LoadUnsafe(ref dst, (nuint)w);
            }
            v0.StoreUnsafe(ref dst);
            v1.StoreUnsafe(ref dst, (nuint)w);
            return;
        }
        Span<T> tmp = stackalloc T[2 * w];
        v0.CopyTo(tmp);
        v1.CopyTo(tmp[w..]);
        var d = c.Slice(start, cols);
        if (accumulate) for (int j = 0; j < cols; j++) d[j] += tmp[j];
        else tmp[..cols].CopyTo(d);
    }

    /// <summary>
    /// The same micro-kernels on 512-bit vectors (panels of 2 × 16 floats / 2 × 8 doubles). Each output
    /// element is still one FMA chain over k in order, so results equal the 256-bit path bit for bit.
    /// </summary>
    private static class Wide
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<T> MulAdd<T>(Vector512<T> x, Vector512<T> y, Vector512<T> acc) where T : unmanaged
        {
            if (typeof(T) == typeof(float))
                return Avx512F.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx512F.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
            return x * y + acc;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Kernel6<T>(ref T a, int i, int rsA, int csA, ref T bp, int k, int nr,
            Span<T> c, int n, int j0, int cols, bool accumulate)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int w = Vector512<T>.Count;
            Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                         c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            nint r0 = (nint)i * rsA, r1 = r0 + rsA, r2 = r1 + rsA, r3 = r2 + rsA, r4 = r3 + rsA, r5 = r4 + rsA;
            for (int p = 0; p < k; p++)
            {
                nint off = (nint)p * nr;
                var b0 = Vector512.LoadUnsafe(ref bp, (nuint)off);
                var b1 = Vector512.LoadUnsafe(ref bp, (nuint)(off + w));
                nint ap = (nint)p * csA;
                var a0 = Vector512.Create(Unsafe.Add(ref a, r0 + ap));
                c00 = MulAdd(a0, b0, c00); c01 = MulAdd(a0, b1, c01);
                var a1 = Vector512.Create(Unsafe.Add(ref a, r1 + ap));
                c10 = MulAdd(a1, b0, c10); c11 = MulAdd(a1, b1, c11);
                var a2 = Vector512.Create(Unsafe.Add(ref a, r2 + ap));
                c20 = MulAdd(a2, b0, c20); c21 = MulAdd(a2, b1, c21);
                var a3 = Vector512.Create(Unsafe.Add(ref a, r3 + ap));
                c30 = MulAdd(a3, b0, c30); c31 = MulAdd(a3, b1, c31);
                var a4 = Vector512.Create(Unsafe.Add(ref a, r4 + ap));
                c40 = MulAdd(a4, b0, c40); c41 = MulAdd(a4, b1, c41);
                var a5 = Vector512.Create(Unsafe.Add(ref a, r5 + ap));
                c50 = MulAdd(a5, b0, c50); c51 = MulAdd(a5, b1, c51);
            }
            Store(c, (i + 0) * n + j0, cols, c00, c01, accumulate);
            Store(c, (i + 1) * n + j0, cols, c10, c11, accumulate);
            Store(c, (i + 2) * n + j0, cols, c20, c21, accumulate);
            Store(c, (i + 3) * n + j0, cols, c30, c31, accumulate);
            Store(c, (i + 4) * n + j0, cols, c40, c41, accumulate);
            Store(c, (i + 5) * n + j0, cols, c50, c51, accumulate);
        }

        public static void Kernel1<T>(ref T a, int i, int rsA, int csA, ref T bp, int k, int nr,
            Span<T> c, int n, int j0, int cols, bool accumulate)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int w = Vector512<T>.Count;
            Vector512<T> c0 = default, c1 = default;
            nint r0 = (nint)i * rsA;
            for (int p = 0; p < k; p++)
            {
                nint off = (nint)p * nr;
                var a0 = Vector512.Create(Unsafe.Add(ref a, r0 + (nint)p * csA));
                c0 = MulAdd(a0, Vector512.LoadUnsafe(ref bp, (nuint)off), c0);
                c1 = MulAdd(a0, Vector512.LoadUnsafe(ref bp, (nuint)(off + w)), c1);
            }
            Store(c, i * n + j0, cols, c0, c1, accumulate);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store<T>(Span<T> c, int start, int cols, Vector512<T> v0, Vector512<T> v1, bool accumulate)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int w = Vector512<T>.Count;
            if (cols == 2 * w)
            {
                ref T dst = ref c[start];
                if (accumulate)
                {
                    v0 += Vector512.LoadUnsafe(ref dst);
                    v1 += Vector512.LoadUnsafe(ref dst, (nuint)w);
                }
                v0.StoreUnsafe(ref dst);
                v1.StoreUnsafe(ref dst, (nuint)w);
                return;
            }
            Span<T> tmp = stackalloc T[2 * w];
            v0.CopyTo(tmp);
            v1.CopyTo(tmp[w..]);
            var d = c.Slice(start, cols);
            if (accumulate) for (int j = 0; j < cols; j++) d[j] += tmp[j];
            else tmp[..cols].CopyTo(d);
        }
    }
}
