using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Noether.Tensors;

/// <summary>
/// An MR×NR register tile: C[rows, cols] (+)= Σ_p A[:, p]·B[p, :] over a packed B panel ([kc][NR]) and
/// A read with row stride rsA and column stride csA (a packed A panel has rsA = 1, csA = MR). Each
/// element's sum is one FMA chain from zero in p order, then added to C (accumulate) and then to bias[j] (when
/// <c>bias</c> is not null: the product's last k block of a layer with a bias), then stored. When <c>theta</c> is not
/// null (the last k block of a weight gradient with the SGD step fused in), the finished value g then updates the
/// parameter laid out like C: θ ← θ − lr·(g + wd·θ), exactly as <see cref="RowOps.SgdStep"/>. The value is stored in C
/// when <c>storeC</c>, which is false only there, for a step that does not keep its gradient (it writes θ alone). Rows
/// past <c>rows</c> re-read the last valid row, so an unpacked A is never read out of bounds.
/// </summary>
internal unsafe interface IMicroKernel<T> where T : unmanaged
{
    static abstract int MR { get; }
    static abstract int NR { get; }
    static abstract void Run(int kc, T* a, nint rsA, nint csA, T* b, T* c, int ldc, int rows, int cols, bool accumulate, T* bias, T* theta, T lr, T wd, bool storeC);
}

/// <summary>6 rows × 2 Vector256: 12 accumulators, 2 panel loads and 6 broadcasts per k (fits AVX2's 16 registers).</summary>
[SkipLocalsInit]
internal unsafe struct Kernel256<T> : IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => MRConst;
    public static int NR => 2 * Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, nint rsA, nint csA, T* b, T* c, int ldc, int rows, int cols, bool accumulate, T* bias, T* theta, T lr, T wd, bool storeC)
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                     c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        T* a0 = a, a1 = a + Math.Min(1, rows - 1) * rsA, a2 = a + Math.Min(2,
           rows - 1) * rsA, a3 = a + Math.Min(3, rows - 1) * rsA, a4 = a + Math.Min(4, rows - 1) * rsA, a5 = a + Math.Min(5, rows - 1) * rsA;
        nint ap = 0;
        for (int p = 0; p < kc; p++, ap += csA, b += 2 * w)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            var x = Vector256.Create(a0[ap]); c00 = MulAdd(x, b0, c00); c01 = MulAdd(x, b1, c01);
            x = Vector256.Create(a1[ap]); c10 = MulAdd(x, b0, c10); c11 = MulAdd(x, b1, c11);
            x = Vector256.Create(a2[ap]); c20 = MulAdd(x, b0, c20); c21 = MulAdd(x, b1, c21);
            x = Vector256.Create(a3[ap]); c30 = MulAdd(x, b0, c30); c31 = MulAdd(x, b1, c31);
            x = Vector256.Create(a4[ap]); c40 = MulAdd(x, b0, c40); c41 = MulAdd(x, b1, c41);
            x = Vector256.Create(a5[ap]); c50 = MulAdd(x, b0, c50); c51 = MulAdd(x, b1, c51);
        }
        // No call may follow while the accumulators are live: every vector register is caller-saved, so
        // the JIT would spill them inside the k loop (measured on 512³: 28 GFLOP/s with the spills, 72 without).
        if (rows == MRConst && cols == 2 * w)
        {
            Put(c, 0 * (nint)ldc, c00, c01, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 1 * (nint)ldc, c10, c11, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 2 * (nint)ldc, c20, c21, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 3 * (nint)ldc, c30, c31, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 4 * (nint)ldc, c40, c41, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 5 * (nint)ldc, c50, c51, accumulate, bias, theta, lr, wd, storeC);
            return;
        }
        Tile tile;
        T* t = (T*)&tile;
        c00.Store(t + 0 * w); c01.Store(t + 1 * w);
        c10.Store(t + 2 * w); c11.Store(t + 3 * w);
        c20.Store(t + 4 * w); c21.Store(t + 5 * w);
        c30.Store(t + 6 * w); c31.Store(t + 7 * w);
        c40.Store(t + 8 * w); c41.Store(t + 9 * w);
        c50.Store(t + 10 * w); c51.Store(t + 11 * w);
        TileWriter.Write(t, 2 * w, c, ldc, rows, cols, accumulate, bias, theta, lr, wd, storeC);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> MulAdd(Vector256<T> x, Vector256<T> y, Vector256<T> acc)
    {
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    private const int MRConst = 6;

    /// <summary>Writes one row of the tile: c and θ point at the tile, <paramref name="row"/> is the row's offset from both.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(T* c, nint row, Vector256<T> v0, Vector256<T> v1, bool accumulate, T* bias, T* theta, T lr, T wd, bool storeC)
    {
        int w = Vector256<T>.Count;
        c += row;
        if (accumulate) { v0 += Vector256.Load(c); v1 += Vector256.Load(c + w); }
        if (bias != null) { v0 += Vector256.Load(bias); v1 += Vector256.Load(bias + w); }
        if (storeC) { v0.Store(c); v1.Store(c + w); }
        if (theta != null) { SgdStep(theta + row, v0, lr, wd); SgdStep(theta + row + w, v1, lr, wd); }
    }

    /// <summary>θ ← θ − lr·(g + wd·θ) on one vector: separate multiplies and adds, as <see cref="RowOps.SgdStep"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SgdStep(T* theta, Vector256<T> g, T lr, T wd)
    {
        var th = Vector256.Load(theta);
        (th - Vector256.Create(lr) * (g + Vector256.Create(wd) * th)).Store(theta);
    }

    /// <summary>Room for the whole register tile (6 × 2 vectors of 32 bytes).</summary>
    [InlineArray(6 * 2 * 32 / 8)]
    private struct Tile { private long _first; }
}

/// <summary>8 rows × 2 Vector512: 16 accumulators, 2 panel loads and 8 broadcasts per k (AVX-512 has 32 registers).</summary>
[SkipLocalsInit]
internal unsafe struct Kernel512<T> : IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => MRConst;
    public static int NR => 2 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, nint rsA, nint csA, T* b, T* c, int ldc, int rows, int cols, bool accumulate, T* bias, T* theta, T lr, T wd, bool storeC)
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                     c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
                     c60 = default, c61 = default, c70 = default, c71 = default;
        T* a0 = a, a1 = a + Math.Min(1, rows - 1) * rsA, a2 = a + Math.Min(2,
           rows - 1) * rsA, a3 = a + Math.Min(3, rows - 1) * rsA, a4 = a + Math.Min(4, rows - 1) * rsA, a5 = a + Math.Min(5, rows - 1) * rsA, a6 = a + Math.Min(6, rows - 1) * rsA, a7 = a + Math.Min(7, rows - 1) * rsA;
        nint ap = 0;
        for (int p = 0; p < kc; p++, ap += csA, b += 2 * w)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + w);
            var x = Vector512.Create(a0[ap]); c00 = MulAdd(x, b0, c00); c01 = MulAdd(x, b1, c01);
            x = Vector512.Create(a1[ap]); c10 = MulAdd(x, b0, c10); c11 = MulAdd(x, b1, c11);
            x = Vector512.Create(a2[ap]); c20 = MulAdd(x, b0, c20); c21 = MulAdd(x, b1, c21);
            x = Vector512.Create(a3[ap]); c30 = MulAdd(x, b0, c30); c31 = MulAdd(x, b1, c31);
            x = Vector512.Create(a4[ap]); c40 = MulAdd(x, b0, c40); c41 = MulAdd(x, b1, c41);
            x = Vector512.Create(a5[ap]); c50 = MulAdd(x, b0, c50); c51 = MulAdd(x, b1, c51);
            x = Vector512.Create(a6[ap]); c60 = MulAdd(x, b0, c60); c61 = MulAdd(x, b1, c61);
            x = Vector512.Create(a7[ap]); c70 = MulAdd(x, b0, c70); c71 = MulAdd(x, b1, c71);
        }
        // No call may follow while the accumulators are live: every vector register is caller-saved, so
        // the JIT would spill them inside the k loop (measured on 512³: 28 GFLOP/s with the spills, 72 without).
        if (rows == MRConst && cols == 2 * w)
        {
            Put(c, 0 * (nint)ldc, c00, c01, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 1 * (nint)ldc, c10, c11, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 2 * (nint)ldc, c20, c21, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 3 * (nint)ldc, c30, c31, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 4 * (nint)ldc, c40, c41, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 5 * (nint)ldc, c50, c51, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 6 * (nint)ldc, c60, c61, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 7 * (nint)ldc, c70, c71, accumulate, bias, theta, lr, wd, storeC);
            return;
        }
        Tile tile;
        T* t = (T*)&tile;
        c00.Store(t + 0 * w); c01.Store(t + 1 * w);
        c10.Store(t + 2 * w); c11.Store(t + 3 * w);
        c20.Store(t + 4 * w); c21.Store(t + 5 * w);
        c30.Store(t + 6 * w); c31.Store(t + 7 * w);
        c40.Store(t + 8 * w); c41.Store(t + 9 * w);
        c50.Store(t + 10 * w); c51.Store(t + 11 * w);
        c60.Store(t + 12 * w); c61.Store(t + 13 * w);
        c70.Store(t + 14 * w); c71.Store(t + 15 * w);
        TileWriter.Write(t, 2 * w, c, ldc, rows, cols, accumulate, bias, theta, lr, wd, storeC);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> MulAdd(Vector512<T> x, Vector512<T> y, Vector512<T> acc)
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    private const int MRConst = 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(T* c, nint row, Vector512<T> v0, Vector512<T> v1, bool accumulate, T* bias, T* theta, T lr, T wd, bool storeC)
    {
        int w = Vector512<T>.Count;
        c += row;
        if (accumulate) { v0 += Vector512.Load(c); v1 += Vector512.Load(c + w); }
        if (bias != null) { v0 += Vector512.Load(bias); v1 += Vector512.Load(bias + w); }
        if (storeC) { v0.Store(c); v1.Store(c + w); }
        if (theta != null) { SgdStep(theta + row, v0, lr, wd); SgdStep(theta + row + w, v1, lr, wd); }
    }

    /// <summary>θ ← θ − lr·(g + wd·θ) on one vector: separate multiplies and adds, as <see cref="RowOps.SgdStep"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SgdStep(T* theta, Vector512<T> g, T lr, T wd)
    {
        var th = Vector512.Load(theta);
        (th - Vector512.Create(lr) * (g + Vector512.Create(wd) * th)).Store(theta);
    }

    /// <summary>Room for the whole register tile (8 × 2 vectors of 64 bytes).</summary>
    [InlineArray(8 * 2 * 64 / 8)]
    private struct Tile { private long _first; }
}

/// <summary>
/// 8 rows × 1 Vector512 for problems at most one vector wide (tiny layers, e.g. multimodal-alignment's width-12 encoders),
/// where the two-vector tile of <see cref="Kernel512{T}"/> would spend most of its FMAs on padding. Each element is the
/// same FMA chain from zero in p order, stored or added to C, so results are bit-identical to the wide kernel's; a
/// short tile is written with masked stores where AVX-512 is present (no spill to a stack tile).
/// </summary>
[SkipLocalsInit]
internal unsafe struct Kernel512Narrow<T> : IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => MRConst;
    public static int NR => Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, nint rsA, nint csA, T* b, T* c, int ldc, int rows, int cols, bool accumulate, T* bias, T* theta, T lr, T wd, bool storeC)
    {
        int w = Vector512<T>.Count;
        Vector512<T> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        T* a0 = a, a1 = a + Math.Min(1, rows - 1) * rsA, a2 = a + Math.Min(2,
           rows - 1) * rsA, a3 = a + Math.Min(3, rows - 1) * rsA, a4 = a + Math.Min(4, rows - 1) * rsA, a5 = a + Math.Min(5, rows - 1) * rsA, a6 = a + Math.Min(6, rows - 1) * rsA, a7 = a + Math.Min(7, rows - 1) * rsA;
        nint ap = 0;
        for (int p = 0; p < kc; p++, ap += csA, b += w)
        {
            var b0 = Vector512.Load(b);
            c0 = Kernel512<T>.MulAdd(Vector512.Create(a0[ap]), b0, c0);
            c1 = Kernel512<T>.MulAdd(Vector512.Create(a1[ap]), b0, c1);
            c2 = Kernel512<T>.MulAdd(Vector512.Create(a2[ap]), b0, c2);
            c3 = Kernel512<T>.MulAdd(Vector512.Create(a3[ap]), b0, c3);
            c4 = Kernel512<T>.MulAdd(Vector512.Create(a4[ap]), b0, c4);
            c5 = Kernel512<T>.MulAdd(Vector512.Create(a5[ap]), b0, c5);
            c6 = Kernel512<T>.MulAdd(Vector512.Create(a6[ap]), b0, c6);
            c7 = Kernel512<T>.MulAdd(Vector512.Create(a7[ap]), b0, c7);
        }
        if (rows == MRConst && cols == w)
        {
            Put(c, 0 * (nint)ldc, c0, accumulate, bias, theta, lr, wd, storeC); Put(c, 1 * (nint)ldc, c1, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 2 * (nint)ldc, c2, accumulate, bias, theta, lr, wd, storeC); Put(c, 3 * (nint)ldc, c3, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 4 * (nint)ldc, c4, accumulate, bias, theta, lr, wd, storeC); Put(c, 5 * (nint)ldc, c5, accumulate, bias, theta, lr, wd, storeC);
            Put(c, 6 * (nint)ldc, c6, accumulate, bias, theta, lr, wd, storeC); Put(c, 7 * (nint)ldc, c7, accumulate, bias, theta, lr, wd, storeC);
            return;
        }
        if (Avx512F.IsSupported)
        {
            var mask = Mask(cols);
            PutMasked(c, 0, c0, mask, accumulate, bias, theta, lr, wd, storeC);
            if (rows > 1) PutMasked(c, 1 * (nint)ldc, c1, mask, accumulate, bias, theta, lr, wd, storeC);
            if (rows > 2) PutMasked(c, 2 * (nint)ldc, c2, mask, accumulate, bias, theta, lr, wd, storeC);
            if (rows > 3) PutMasked(c, 3 * (nint)ldc, c3, mask, accumulate, bias, theta, lr, wd, storeC);
            if (rows > 4) PutMasked(c, 4 * (nint)ldc, c4, mask, accumulate, bias, theta, lr, wd, storeC);
            if (rows > 5) PutMasked(c, 5 * (nint)ldc, c5, mask, accumulate, bias, theta, lr, wd, storeC);
            if (rows > 6) PutMasked(c, 6 * (nint)ldc, c6, mask, accumulate, bias, theta, lr, wd, storeC);
            if (rows > 7) PutMasked(c, 7 * (nint)ldc, c7, mask, accumulate, bias, theta, lr, wd, storeC);
            return;
        }
        Tile tile;
        T* t = (T*)&tile;
        c0.Store(t + 0 * w); c1.Store(t + 1 * w); c2.Store(t + 2 * w); c3.Store(t + 3 * w);
        c4.Store(t + 4 * w); c5.Store(t + 5 * w); c6.Store(t + 6 * w); c7.Store(t + 7 * w);
        TileWriter.Write(t, w, c, ldc, rows, cols, accumulate, bias, theta, lr, wd, storeC);
    }

    private const int MRConst = 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(T* c, nint row, Vector512<T> v, bool accumulate, T* bias, T* theta, T lr, T wd, bool storeC)
    {
        c += row;
        if (accumulate) v += Vector512.Load(c);
        if (bias != null) v += Vector512.Load(bias);
        if (storeC) v.Store(c);
        if (theta != null) Kernel512<T>.SgdStep(theta + row, v, lr, wd);
    }

    /// <summary>All bits set in the first <paramref name="cols"/> lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Mask(int cols) => typeof(T) == typeof(float)
        ? Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols)).As<int, T>()
        : Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)cols)).As<long, T>();

    /// <summary><see cref="Put"/> of the lanes in <paramref name="mask"/> only (AVX-512 masked loads and stores).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PutMasked(T* c, nint row, Vector512<T> v, Vector512<T> mask, bool accumulate, T* bias, T* theta, T lr, T wd, bool storeC)
    {
        c += row;
        if (accumulate) v += MaskLoad(c, mask);
        if (bias != null) v += MaskLoad(bias, mask);
        if (storeC) MaskStore(c, mask, v);
        if (theta != null)
        {
            theta += row;
            var th = MaskLoad(theta, mask);
            MaskStore(theta, mask, th - Vector512.Create(lr) * (v + Vector512.Create(wd) * th));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> MaskLoad(T* p, Vector512<T> mask) => typeof(T) == typeof(float)
        ? Avx512F.MaskLoad((float*)p, mask.AsSingle(), Vector512<float>.Zero).As<float, T>()
        : Avx512F.MaskLoad((double*)p, mask.AsDouble(), Vector512<double>.Zero).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaskStore(T* p, Vector512<T> mask, Vector512<T> v)
    {
        if (typeof(T) == typeof(float)) Avx512F.MaskStore((float*)p, mask.AsSingle(), v.AsSingle());
        else Avx512F.MaskStore((double*)p, mask.AsDouble(), v.AsDouble());
    }

    /// <summary>Room for the whole register tile (8 × 1 vector of 64 bytes).</summary>
    [InlineArray(8 * 64 / 8)]
    private struct Tile { private long _first; }
}

/// <summary>
/// 1 row × 4 Vector512 for single-row products (a scalar output's weight gradient, and a one-column product run
/// transposed, see <see cref="BlockedGemm"/>), where the 8-row tile would compute the same row eight times. Each
/// element is the same FMA chain from zero in p order as in the other tiles, so results are bit-identical. It and
/// <see cref="KernelRow256{T}"/> differ only in width, kept apart like the other kernels: on 1×512×784 the 8-row tile
/// took 59 µs, this one 39 and the 256-bit one 49.
/// </summary>
[SkipLocalsInit]
internal unsafe struct KernelRow512<T> : IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 1;
    public static int NR => 4 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, nint rsA, nint csA, T* b, T* c, int ldc, int rows, int cols, bool accumulate, T* bias, T* theta, T lr, T wd, bool storeC)
    {
        int w = Vector512<T>.Count;
        Vector512<T> c0 = default, c1 = default, c2 = default, c3 = default;
        nint ap = 0;
        for (int p = 0; p < kc; p++, ap += csA, b += 4 * w)
        {
            var x = Vector512.Create(a[ap]);
            c0 = Kernel512<T>.MulAdd(x, Vector512.Load(b), c0);
            c1 = Kernel512<T>.MulAdd(x, Vector512.Load(b + w), c1);
            c2 = Kernel512<T>.MulAdd(x, Vector512.Load(b + 2 * w), c2);
            c3 = Kernel512<T>.MulAdd(x, Vector512.Load(b + 3 * w), c3);
        }
        if (cols == 4 * w)
        {
            if (accumulate) { c0 += Vector512.Load(c); c1 += Vector512.Load(c + w); c2 += Vector512.Load(c + 2 * w); c3 += Vector512.Load(c + 3 * w); }
            if (bias != null) { c0 += Vector512.Load(bias); c1 += Vector512.Load(bias + w); c2 += Vector512.Load(bias + 2 * w); c3 += Vector512.Load(bias + 3 * w); }
            if (storeC) { c0.Store(c); c1.Store(c + w); c2.Store(c + 2 * w); c3.Store(c + 3 * w); }
            if (theta != null)
            {
                Kernel512<T>.SgdStep(theta, c0, lr, wd); Kernel512<T>.SgdStep(theta + w, c1, lr, wd);
                Kernel512<T>.SgdStep(theta + 2 * w, c2, lr, wd); Kernel512<T>.SgdStep(theta + 3 * w, c3, lr, wd);
            }
            return;
        }
        Tile tile;
        T* t = (T*)&tile;
        c0.Store(t); c1.Store(t + w); c2.Store(t + 2 * w); c3.Store(t + 3 * w);
        TileWriter.Write(t, 4 * w, c, ldc, 1, cols, accumulate, bias, theta, lr, wd, storeC);
    }

    /// <summary>Room for the row (4 vectors of 64 bytes).</summary>
    [InlineArray(4 * 64 / 8)]
    private struct Tile { private long _first; }
}

/// <summary><see cref="KernelRow512{T}"/> with Vector256: 1 row × 4 Vector256.</summary>
[SkipLocalsInit]
internal unsafe struct KernelRow256<T> : IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 1;
    public static int NR => 4 * Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, nint rsA, nint csA, T* b, T* c, int ldc, int rows, int cols, bool accumulate, T* bias, T* theta, T lr, T wd, bool storeC)
    {
        int w = Vector256<T>.Count;
        Vector256<T> c0 = default, c1 = default, c2 = default, c3 = default;
        nint ap = 0;
        for (int p = 0; p < kc; p++, ap += csA, b += 4 * w)
        {
            var x = Vector256.Create(a[ap]);
            c0 = Kernel256<T>.MulAdd(x, Vector256.Load(b), c0);
            c1 = Kernel256<T>.MulAdd(x, Vector256.Load(b + w), c1);
            c2 = Kernel256<T>.MulAdd(x, Vector256.Load(b + 2 * w), c2);
            c3 = Kernel256<T>.MulAdd(x, Vector256.Load(b + 3 * w), c3);
        }
        if (cols == 4 * w)
        {
            if (accumulate) { c0 += Vector256.Load(c); c1 += Vector256.Load(c + w); c2 += Vector256.Load(c + 2 * w); c3 += Vector256.Load(c + 3 * w); }
            if (bias != null) { c0 += Vector256.Load(bias); c1 += Vector256.Load(bias + w); c2 += Vector256.Load(bias + 2 * w); c3 += Vector256.Load(bias + 3 * w); }
            if (storeC) { c0.Store(c); c1.Store(c + w); c2.Store(c + 2 * w); c3.Store(c + 3 * w); }
            if (theta != null)
            {
                Kernel256<T>.SgdStep(theta, c0, lr, wd); Kernel256<T>.SgdStep(theta + w, c1, lr, wd);
                Kernel256<T>.SgdStep(theta + 2 * w, c2, lr, wd); Kernel256<T>.SgdStep(theta + 3 * w, c3, lr, wd);
            }
            return;
        }
        Tile tile;
        T* t = (T*)&tile;
        c0.Store(t); c1.Store(t + w); c2.Store(t + 2 * w); c3.Store(t + 3 * w);
        TileWriter.Write(t, 4 * w, c, ldc, 1, cols, accumulate, bias, theta, lr, wd, storeC);
    }

    /// <summary>Room for the row (4 vectors of 32 bytes).</summary>
    [InlineArray(4 * 32 / 8)]
    private struct Tile { private long _first; }
}

/// <summary>Writes the valid rows × cols of a register tile spilled to memory (edge tiles only), then any SGD step on θ.</summary>
internal static unsafe class TileWriter
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Write<T>(T* tile, int ldTile, T* c, int ldc, int rows, int cols, bool accumulate, T* bias, T* theta, T lr, T wd, bool storeC)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        for (int r = 0; r < rows; r++, tile += ldTile, c += ldc)
        {
            // Without storeC (a step that does not keep its gradient) the finished values stay in the tile, and θ steps from there.
            T* to = storeC ? c : tile;
            int j = 0;
            for (; j + w <= cols; j += w)
            {
                var v = Vector256.Load(tile + j);
                if (accumulate) v += Vector256.Load(c + j);
                if (bias != null) v += Vector256.Load(bias + j);
                v.Store(to + j);
            }
            for (; j < cols; j++)
            {
                T v = tile[j];
                if (accumulate) v += c[j];
                if (bias != null) v += bias[j];
                to[j] = v;
            }
            if (theta != null) RowOps.SgdStep(new ReadOnlySpan<T>(to, cols), new Span<T>(theta + (nint)r * ldc, cols), lr, wd);
        }
    }
}
