using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Noether.Tensors;

/// <summary>
/// An MR×NR register tile: C[rows, cols] (+)= Σ_p A[:, p]·B[p, :] over a packed B panel ([kc][NR]) and
/// A read with row stride rsA and column stride csA (a packed A panel has rsA = 1, csA = MR). Each
/// element's sum is one FMA chain from zero in p order, then stored or added to C. Rows past
/// <c>rows</c> re-read the last valid row, so an unpacked A is never read out of bounds.
/// </summary>
internal unsafe interface IMicroKernel<T> where T : unmanaged
{
    static abstract int MR { get; }
    static abstract int NR { get; }
    static abstract void Run(int kc, T* a, nint rsA, nint csA, T* b, T* c, int ldc, int rows, int cols, bool accumulate);
}

/// <summary>6 rows × 2 Vector256: 12 accumulators, 2 panel loads and 6 broadcasts per k (fits AVX2's 16 registers).</summary>
internal unsafe struct Kernel256<T> : IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 6;
    public static int NR => 2 * Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, nint rsA, nint csA, T* b, T* c, int ldc, int rows, int cols, bool accumulate)
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
        Store(c, cols, c00, c01, accumulate); if (rows == 1) return; c += ldc;
        Store(c, cols, c10, c11, accumulate); if (rows == 2) return; c += ldc;
        Store(c, cols, c20, c21, accumulate); if (rows == 3) return; c += ldc;
        Store(c, cols, c30, c31, accumulate); if (rows == 4) return; c += ldc;
        Store(c, cols, c40, c41, accumulate); if (rows == 5) return; c += ldc;
        Store(c, cols, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> MulAdd(Vector256<T> x, Vector256<T> y, Vector256<T> acc)
    {
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* c, int cols, Vector256<T> v0, Vector256<T> v1, bool accumulate)
    {
        int w = Vector256<T>.Count;
        if (cols != 2 * w) { StorePartial(c, cols, v0, v1, accumulate); return; }
        if (accumulate) { v0 += Vector256.Load(c); v1 += Vector256.Load(c + w); }
        v0.Store(c);
        v1.Store(c + w);
    }

    private static void StorePartial(T* c, int cols, Vector256<T> v0, Vector256<T> v1, bool accumulate)
    {
        int w = Vector256<T>.Count;
        T* tmp = stackalloc T[2 * w];
        v0.Store(tmp);
        v1.Store(tmp + w);
        for (int j = 0; j < cols; j++) c[j] = accumulate ? c[j] + tmp[j] : tmp[j];
    }
}

/// <summary>8 rows × 2 Vector512: 16 accumulators, 2 panel loads and 8 broadcasts per k (AVX-512 has 32 registers).</summary>
internal unsafe struct Kernel512<T> : IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 8;
    public static int NR => 2 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, nint rsA, nint csA, T* b, T* c, int ldc, int rows, int cols, bool accumulate)
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
        Store(c, cols, c00, c01, accumulate); if (rows == 1) return; c += ldc;
        Store(c, cols, c10, c11, accumulate); if (rows == 2) return; c += ldc;
        Store(c, cols, c20, c21, accumulate); if (rows == 3) return; c += ldc;
        Store(c, cols, c30, c31, accumulate); if (rows == 4) return; c += ldc;
        Store(c, cols, c40, c41, accumulate); if (rows == 5) return; c += ldc;
        Store(c, cols, c50, c51, accumulate); if (rows == 6) return; c += ldc;
        Store(c, cols, c60, c61, accumulate); if (rows == 7) return; c += ldc;
        Store(c, cols, c70, c71, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> MulAdd(Vector512<T> x, Vector512<T> y, Vector512<T> acc)
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* c, int cols, Vector512<T> v0, Vector512<T> v1, bool accumulate)
    {
        int w = Vector512<T>.Count;
        if (cols != 2 * w) { StorePartial(c, cols, v0, v1, accumulate); return; }
        if (accumulate) { v0 += Vector512.Load(c); v1 += Vector512.Load(c + w); }
        v0.Store(c);
        v1.Store(c + w);
    }

    private static void StorePartial(T* c, int cols, Vector512<T> v0, Vector512<T> v1, bool accumulate)
    {
        int w = Vector512<T>.Count;
        T* tmp = stackalloc T[2 * w];
        v0.Store(tmp);
        v1.Store(tmp + w);
        for (int j = 0; j < cols; j++) c[j] = accumulate ? c[j] + tmp[j] : tmp[j];
    }
}
