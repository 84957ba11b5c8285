using System.Numerics;
using System.Runtime.Intrinsics;

namespace Noether.Tensors;

/// <summary>
/// General matrix multiply on row-major spans: C (m×n) = op(A)·op(B) [+ C], where op(A) is m×k
/// (A stored k×m when transposed) and op(B) is k×n (B stored n×k when transposed).
/// The work is cache-blocked and packed (see <see cref="BlockedGemm"/>). Every output element is one
/// FMA chain over k in order per block of <see cref="BlockedGemm.KC"/>, whatever the kernel width,
/// tile position or thread count, so identical rows/columns of the inputs give bit-identical outputs
/// (needed by syre) and results do not depend on the machine's vector width.
/// </summary>
public static class Gemm
{
    /// <summary>Below this many multiply-adds a GEMM runs on one thread even when more are allowed.</summary>
    private const long ParallelThreshold = 1L << 18;

    /// <summary>
    /// C = op(A)·op(B) [+ C] [+ bias in every row] with the process-wide kernel width (<see cref="ProcessVectorWidth.Current"/>).
    /// A non-empty <paramref name="bias"/> (n values) is added to every row of C after the product, in the kernels'
    /// epilogue: bit-identical to adding it afterwards (<see cref="RowOps.AddToEveryRow"/>), one pass over C fewer.
    /// </summary>
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate = false, int threads = 1, ReadOnlySpan<T> bias = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(ProcessVectorWidth.Current, transA, transB, m, n, k, a, b, c, accumulate, threads, bias);

    /// <summary>C = op(A)·op(B) [+ C] [+ bias] with an explicit kernel width (a width the CPU lacks is emulated: same result, slowly).</summary>
    public static unsafe void Multiply<T>(VectorWidth width, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate = false, int threads = 1, ReadOnlySpan<T> bias = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(transA, transB, m, n, k, a.Length, b.Length, c.Length);
        if (!bias.IsEmpty && bias.Length < n) throw new ShapeMismatchException($"Gemm: bias has {bias.Length} elements, needs {n}");
        if (m == 0 || n == 0) return;
        if (!RunsOnKernels<T>(k))
        {
            if (k == 0) { if (!accumulate) c[..(m * n)].Clear(); }
            else Reference(transA, transB, m, n, k, a, b, c, accumulate);
            if (!bias.IsEmpty) RowOps.AddToEveryRow(c[..(m * n)], bias[..n]);
            return;
        }
        fixed (T* pa = a) fixed (T* pb = b) fixed (T* pc = c) fixed (T* pbias = bias)
            Run(width, new GemmProblem<T>(transA, transB, m, n, k, pa, pb, pc, accumulate, bias.IsEmpty ? null : pbias), threads);
    }

    /// <summary>Whether a product of depth k runs on the vectorised kernels (otherwise: empty, or the scalar reference).</summary>
    private static bool RunsOnKernels<T>(int k) =>
        k > 0 && Vector256.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>One pinned problem on this thread, or split across threads when it is large enough to pay for the hand-off.</summary>
    private static void Run<T>(VectorWidth width, in GemmProblem<T> problem, int threads, bool rowBlocks = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (threads <= 1 || (long)problem.M * problem.N * problem.K < ParallelThreshold)
            BlockedGemm.Run(width, problem, 0, problem.M, 0, problem.N);
        else
            GemmJob<T>.Run(width, problem, threads, rowBlocks);
    }

    /// <summary>
    /// C = op(A)·op(B), then the plain SGD step θ ← θ − lr·(C + wd·θ) on the parameter θ (m×n, laid out like C) whose
    /// gradient C is: a weight-gradient product with the update fused into its epilogue, while each tile of C is still
    /// in registers, on the thread that computed the tile. C and θ end bit-identical to
    /// <see cref="Multiply{T}(bool, bool, int, int, int, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, bool, int, ReadOnlySpan{T})"/>
    /// followed by <see cref="RowOps.SgdStep"/>, whatever the thread count. With <paramref name="rowBlocks"/>, several
    /// threads split θ into blocks of whole rows, one per thread, instead of column panels: a dense layer's forward product
    /// gives each thread a block of W's rows (its outputs), so the thread that steps a row is the one that reads it next.
    /// With <paramref name="keepGradient"/> false the gradient is not stored, as in PyTorch's hand-written batched step,
    /// which adds the product into the weights without forming it: θ gets the same values, one pass of writes over θ's
    /// size is saved, and C is left unspecified (untouched when k ≤ <see cref="BlockedGemm.KC"/>; partial sums beyond).
    /// </summary>
    public static unsafe void MultiplyThenSgd<T>(VectorWidth width, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, Span<T> theta, T lr, T wd, int threads = 1, bool rowBlocks = false,
        bool keepGradient = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(transA, transB, m, n, k, a.Length, b.Length, c.Length);
        if (theta.Length < (long)m * n) throw new ShapeMismatchException($"Gemm: θ has {theta.Length} elements, needs {m}x{n}");
        if (m == 0 || n == 0) return;
        if (!RunsOnKernels<T>(k))
        {
            Multiply(width, transA, transB, m, n, k, a, b, c);
            RowOps.SgdStep<T>(c[..(m * n)], theta[..(m * n)], lr, wd);
            return;
        }
        fixed (T* pa = a) fixed (T* pb = b) fixed (T* pc = c) fixed (T* pt = theta)
            Run(width, new GemmProblem<T>(transA, transB, m, n, k, pa, pb, pc, false, null, pt, lr, wd, keepGradient), threads, rowBlocks);
    }

    /// <summary>
    /// P independent GEMMs over member-strided spans (population members), in parallel over members when allowed. A
    /// non-empty <paramref name="bias"/> holds n values per member, one member after the other (a layer's [P, n] bias).
    /// </summary>
    public static void MultiplyBatched<T>(int members, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, int strideA, ReadOnlySpan<T> b, int strideB, Span<T> c, int strideC,
        bool accumulate = false, int threads = 1, ReadOnlySpan<T> bias = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => MultiplyBatched(ProcessVectorWidth.Current, members, transA, transB, m, n, k, a, strideA, b, strideB, c, strideC, accumulate, threads, bias);

    /// <summary><see cref="MultiplyBatched{T}(int, bool, bool, int, int, int, ReadOnlySpan{T}, int, ReadOnlySpan{T}, int, Span{T}, int, bool, int, ReadOnlySpan{T})"/> with an explicit kernel width.</summary>
    public static unsafe void MultiplyBatched<T>(VectorWidth width, int members, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, int strideA, ReadOnlySpan<T> b, int strideB, Span<T> c, int strideC,
        bool accumulate = false, int threads = 1, ReadOnlySpan<T> bias = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (members <= 0) return;
        if (!bias.IsEmpty && bias.Length < (long)members * n) throw new ShapeMismatchException($"Gemm: bias has {bias.Length} elements, needs {members}x{n}");
        // One member, one thread or an empty product (k = 0 clears C, as the kernels would not): member by member here.
        if (members == 1 || threads <= 1 || m == 0 || n == 0 || k == 0)
        {
            for (int p = 0; p < members; p++)
                Multiply(width, transA, transB, m, n, k, a.Slice(p * strideA, m * k), b.Slice(p * strideB, n * k), c.Slice(p * strideC, m * n), accumulate,
                    members == 1 ? threads : 1, bias.IsEmpty ? default : bias.Slice(p * n, n));
            return;
        }
        // Slicing every member up front checks all bounds before any thread starts.
        _ = a.Slice((members - 1) * strideA, m * k); _ = b.Slice((members - 1) * strideB, n * k); _ = c.Slice((members - 1) * strideC, m * n);
        fixed (T* pa = a) fixed (T* pb = b) fixed (T* pc = c) fixed (T* pbias = bias)
            BatchedGemmJob<T>.Run(width, members, new GemmProblem<T>(transA, transB, m, n, k, pa, pb, pc, accumulate, bias.IsEmpty ? null : pbias), strideA, strideB, strideC, threads);
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
        if (la < (long)m * k) throw new ShapeMismatchException($"Gemm: A has {la} elements, op(A) needs {m}x{k}{(transA ? " (stored transposed)" : "")}");
        if (lb < (long)k * n) throw new ShapeMismatchException($"Gemm: B has {lb} elements, op(B) needs {k}x{n}{(transB ? " (stored transposed)" : "")}");
        if (lc < (long)m * n) throw new ShapeMismatchException($"Gemm: C has {lc} elements, needs {m}x{n}");
    }
}
