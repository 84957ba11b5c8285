using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Noether.Tensors;

/// <summary>
/// One GEMM's operands as raw pointers (the spans are pinned by the caller for the duration). <c>Bias</c>, if not
/// null, holds N values added to every row of C after the product (a layer's bias, in the micro-kernel's epilogue).
/// <c>Theta</c>, if not null, is an M×N parameter that the finished C (its gradient) then updates by plain SGD,
/// θ ← θ − Lr·(C + Wd·θ), also in the epilogue (<see cref="Gemm.MultiplyThenSgd{T}"/>); C's last k block is then stored
/// only if <c>KeepC</c>.
/// </summary>
internal readonly unsafe struct GemmProblem<T>(bool transA, bool transB, int m, int n, int k, T* a, T* b, T* c, bool accumulate, T* bias = null,
    T* theta = null, T lr = default, T wd = default, bool keepC = true)
    where T : unmanaged
{
    public readonly bool TransA = transA, TransB = transB, Accumulate = accumulate, KeepC = keepC;
    public readonly int M = m, N = n, K = k;
    public readonly T* A = a, B = b, C = c, Bias = bias, Theta = theta;
    public readonly T Lr = lr, Wd = wd;

    /// <summary>The same problem on another population member's operands (its bias N values further on, its θ laid out like C).</summary>
    public GemmProblem<T> Member(int p, int strideA, int strideB, int strideC) =>
        new(TransA, TransB, M, N, K, A + (nint)p * strideA, B + (nint)p * strideB, C + (nint)p * strideC, Accumulate,
            Bias == null ? null : Bias + (nint)p * N, Theta == null ? null : Theta + (nint)p * strideC, Lr, Wd, KeepC);
}

/// <summary>
/// The GotoBLAS/BLIS loop nest: columns in blocks of NC, depth in blocks of <see cref="KC"/> (B block
/// packed into NR-wide panels, kept in L2/L3), rows in blocks of at most MC (A block packed into MR-high
/// panels kept in L2 when enough B panels reuse it, else read in place), then an MR×NR register tile per
/// micro-kernel call whose B panel stays in L1. B's edge panel is zero-padded and a short edge tile
/// re-reads A's last row, so every tile runs the same full-size kernel and stores only its valid part.
/// </summary>
internal static unsafe class BlockedGemm
{
    /// <summary>Depth of one k block. Fixed: it decides where each element's FMA chain is added into C.</summary>
    public const int KC = 256;
    private const int MCMax = 144;
    private const int NCMax = 1024;
    /// <summary>A is packed only when each packed panel is reused by at least this many B panels; below, packing costs more than it saves.</summary>
    private const int PackAMinPanels = 5;

    /// <summary>Computes the C block rows [i0,i1) × columns [j0,j1) of the problem.</summary>
    public static void Run<T>(VectorWidth width, in GemmProblem<T> s, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // A one-column product (a scalar output's forward pass) runs as its transpose, one row: C[i] = Σ_p A[i,p]·B[p]
        // is Cᵀ = op(B)ᵀ·op(A)ᵀ with the same products added in the same order, so the same FMA chain per element.
        // op(B) is k×1 whether stored transposed or not, so as the new A it is one contiguous row of k.
        // The bias, one value for the whole column, is then added to each element as the epilogue would.
        if (s.N == 1 && i1 - i0 > 1)
        {
            var t = new GemmProblem<T>(false, !s.TransA, 1, s.M, s.K, s.B, s.A, s.C, s.Accumulate);
            Run(width, t, 0, 1, i0, i1);
            if (s.Bias != null) RowOps.AddToEveryRow(new Span<T>(s.C + i0, i1 - i0), new ReadOnlySpan<T>(s.Bias, 1));
            if (s.Theta != null) RowOps.SgdStep(new ReadOnlySpan<T>(s.C + i0, i1 - i0), new Span<T>(s.Theta + i0, i1 - i0), s.Lr, s.Wd);
            return;
        }
        // One row takes the one-row tile instead of computing it in every row of a full tile (same chain, same results).
        if (i1 - i0 == 1)
        {
            if (width == VectorWidth.Bits512) Run<T, KernelRow512<T>>(s, i0, i1, j0, j1);
            else Run<T, KernelRow256<T>>(s, i0, i1, j0, j1);
        }
        // Column ranges at most one 512-bit vector wide take the one-vector tile (same FMA chain per element, same results).
        else if (width == VectorWidth.Bits512 && j1 - j0 <= Vector512<T>.Count) Run<T, Kernel512Narrow<T>>(s, i0, i1, j0, j1);
        else if (width == VectorWidth.Bits512) Run<T, Kernel512<T>>(s, i0, i1, j0, j1);
        else Run<T, Kernel256<T>>(s, i0, i1, j0, j1);
    }

    /// <summary>Row height of the register tile at this width (row ranges split across threads are multiples of it).</summary>
    public static int TileRows<T>(VectorWidth width) where T : unmanaged, IFloatingPointIeee754<T> =>
        width == VectorWidth.Bits512 ? Kernel512<T>.MR : Kernel256<T>.MR;

    /// <summary>Column width of the register tile at this width.</summary>
    public static int TileColumns<T>(VectorWidth width) where T : unmanaged, IFloatingPointIeee754<T> =>
        width == VectorWidth.Bits512 ? Kernel512<T>.NR : Kernel256<T>.NR;

    private static void Run<T, TKernel>(in GemmProblem<T> s, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IMicroKernel<T>
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int rows = i1 - i0, rowBlocks = (rows + MCMax - 1) / MCMax;
        int mcStep = RoundUp((rows + rowBlocks - 1) / rowBlocks, mr);
        int ncStep = Math.Min(NCMax, RoundUp(j1 - j0, nr));
        int kcMax = Math.Min(KC, s.K);
        T* packedA = PackBuffer.Get<T>(mcStep * kcMax, ncStep * kcMax, out T* packB);
        for (int jc = j0; jc < j1; jc += ncStep)
        {
            int nc = Math.Min(ncStep, j1 - jc);
            for (int pc = 0; pc < s.K; pc += KC)
            {
                int kc = Math.Min(KC, s.K - pc);
                PackB(s, pc, kc, jc, nc, nr, packB);
                bool accumulate = s.Accumulate || pc > 0;
                // The bias joins in the last k block's epilogue, after every product has been added.
                T* biasBlock = s.Bias != null && pc + kc >= s.K ? s.Bias + jc : null;
                // So does the SGD step on θ, which needs the finished gradient.
                T* thetaBlock = s.Theta != null && pc + kc >= s.K ? s.Theta + jc : null;
                bool packA = nc > (PackAMinPanels - 1) * nr;
                for (int ic = i0; ic < i1; ic += mcStep)
                {
                    int mc = Math.Min(mcStep, i1 - ic);
                    T* aBlock;
                    nint rsA, csA;
                    if (packA) { PackA(s, ic, mc, pc, kc, mr, packedA); aBlock = packedA; rsA = 1; csA = mr; }
                    else { aBlock = s.A + (s.TransA ? (nint)pc * s.M + ic : (nint)ic * s.K + pc); rsA = s.TransA ? 1 : s.K; csA = s.TransA ? s.M : 1; }
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        T* c = s.C + (nint)ic * s.N + jc + jr;
                        T* bias = biasBlock == null ? null : biasBlock + jr;
                        T* theta = thetaBlock == null ? null : thetaBlock + (nint)ic * s.N + jr;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            // A packed panel of MR rows starts ir·kc into the block; rows within it are 1 apart.
                            T* aTile = aBlock + (packA ? (nint)ir * kc : ir * rsA);
                            TKernel.Run(kc, aTile, rsA, csA, packB + (nint)jr * kc, c + (nint)ir * s.N, s.N, Math.Min(mr, mc - ir), cols, accumulate, bias,
                                theta == null ? null : theta + (nint)ir * s.N, s.Lr, s.Wd, storeC: theta == null || s.KeepC);
                        }
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    /// <summary>op(A)[ic..ic+mc, pc..pc+kc) as MR-high panels, each stored k-major ([kc][MR]); a short last panel is never read past its rows.</summary>
    private static void PackA<T>(in GemmProblem<T> s, int ic, int mc, int pc, int kc, int mr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int ir = 0; ir < mc; ir += mr, dst += (nint)mr * kc)
        {
            int rows = Math.Min(mr, mc - ir);
            if (!s.TransA)
            {
                for (int r = 0; r < rows; r++)
                {
                    T* src = s.A + (nint)(ic + ir + r) * s.K + pc;
                    for (int p = 0; p < kc; p++) dst[p * mr + r] = src[p];
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                    CopyShort(s.A + (nint)(pc + p) * s.M + ic + ir, dst + p * mr, rows);
            }
        }
    }

    /// <summary>op(B)[pc..pc+kc, jc..jc+nc) as NR-wide panels, each stored k-major ([kc][NR]), columns past the end zero.</summary>
    private static void PackB<T>(in GemmProblem<T> s, int pc, int kc, int jc, int nc, int nr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int jr = 0; jr < nc; jr += nr, dst += (nint)nr * kc)
        {
            int cols = Math.Min(nr, nc - jr);
            if (!s.TransB)
            {
                for (int p = 0; p < kc; p++)
                    CopyShort(s.B + (nint)(pc + p) * s.N + jc + jr, dst + p * nr, cols);
            }
            else
            {
                int j = 0;
                if (typeof(T) == typeof(float) && Avx.IsSupported)
                    for (; j + 8 <= cols; j += 8)
                    {
                        float* src = (float*)s.B + (nint)(jc + jr + j) * s.K + pc, to = (float*)dst + j;
                        int p = 0;
                        for (; p + 8 <= kc; p += 8) Transpose8x8(src + p, s.K, to + p * nr, nr);
                        for (; p < kc; p++)
                            for (int q = 0; q < 8; q++) to[p * nr + q] = src[(nint)q * s.K + p];
                    }
                for (; j < cols; j++)
                {
                    T* src = s.B + (nint)(jc + jr + j) * s.K + pc;
                    for (int p = 0; p < kc; p++) dst[p * nr + j] = src[p];
                }
            }
            if (cols < nr)
                for (int p = 0; p < kc; p++) new Span<T>(dst + p * nr + cols, nr - cols).Clear();
        }
    }

    /// <summary>One panel row (at most NR values), copied inline: a Memmove call per row cost 14% of hebbian's time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyShort<T>(T* src, T* dst, int count) where T : unmanaged =>
        RowOps.CopyShort(new ReadOnlySpan<T>(src, count), new Span<T>(dst, count));

    /// <summary>dst row q (stride ldDst) = column q of the 8×8 block at src (row stride ldSrc).</summary>
    private static void Transpose8x8(float* src, int ldSrc, float* dst, int ldDst)
    {
        var r0 = Avx.LoadVector256(src); var r1 = Avx.LoadVector256(src + ldSrc);
        var r2 = Avx.LoadVector256(src + 2 * ldSrc); var r3 = Avx.LoadVector256(src + 3 * ldSrc);
        var r4 = Avx.LoadVector256(src + 4 * ldSrc); var r5 = Avx.LoadVector256(src + 5 * ldSrc);
        var r6 = Avx.LoadVector256(src + 6 * ldSrc); var r7 = Avx.LoadVector256(src + 7 * ldSrc);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20)); Avx.Store(dst + ldDst, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldDst, Avx.Permute2x128(u2, u6, 0x20)); Avx.Store(dst + 3 * ldDst, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldDst, Avx.Permute2x128(u0, u4, 0x31)); Avx.Store(dst + 5 * ldDst, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldDst, Avx.Permute2x128(u2, u6, 0x31)); Avx.Store(dst + 7 * ldDst, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>Per-thread packing memory, 64-byte aligned so panel loads never split a cache line.</summary>
    private static class PackBuffer
    {
        [ThreadStatic] private static byte[]? _bytes;
        [ThreadStatic] private static nint _aligned;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T* Get<T>(int firstElements, int secondElements, out T* second) where T : unmanaged
        {
            // A second region starts 64-byte aligned after the first.
            int firstBytes = (firstElements * sizeof(T) + 63) & ~63;
            int bytes = firstBytes + secondElements * sizeof(T);
            if (_bytes is null || _bytes.Length < bytes + 64)
            {
                _bytes = GC.AllocateUninitializedArray<byte>(Math.Max(bytes + 64, 1 << 16), pinned: true);
                fixed (byte* p = _bytes) _aligned = ((nint)p + 63) & ~(nint)63;
            }
            second = (T*)(_aligned + firstBytes);
            return (T*)_aligned;
        }
    }
}
