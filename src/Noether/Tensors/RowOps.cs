using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Noether.Tensors;

/// <summary>
/// Bias-style operations on a row-major block of rows: add one vector to every row, or sum the rows.
/// One pass with the running values in registers; each element sees the same additions in the same
/// order as a row-by-row loop, so results are bit-identical to it.
/// </summary>
public static class RowOps
{
    /// <summary>rows[i, :] += v for every row i (rows.Length a multiple of v.Length).</summary>
    public static void AddToEveryRow<T>(Span<T> rows, ReadOnlySpan<T> v) where T : unmanaged, INumberBase<T>
    {
        int width = v.Length;
        if (width == 0) return;
        int count = rows.Length / width, j = 0, w = Vector256<T>.Count;
        ref T r0 = ref MemoryMarshal.GetReference(rows);
        if (Vector256.IsHardwareAccelerated)
            for (; j <= width - w; j += w)
            {
                var add = Vector256.Create(v.Slice(j, w));
                for (int i = 0; i < count; i++)
                {
                    nuint at = (nuint)(i * width + j);
                    (Vector256.LoadUnsafe(ref r0, at) + add).StoreUnsafe(ref r0, at);
                }
            }
        // The columns left over (e.g. 4 of 12 floats) a 128-bit vector at a time: still one addition per element.
        if (Vector128.IsHardwareAccelerated)
            for (; j <= width - Vector128<T>.Count; j += Vector128<T>.Count)
            {
                var add = Vector128.Create(v.Slice(j, Vector128<T>.Count));
                for (int i = 0; i < count; i++)
                {
                    nuint at = (nuint)(i * width + j);
                    (Vector128.LoadUnsafe(ref r0, at) + add).StoreUnsafe(ref r0, at);
                }
            }
        for (; j < width; j++)
        {
            T add = v[j];
            for (int i = 0; i < count; i++) Unsafe.Add(ref r0, i * width + j) += add;
        }
    }

    /// <summary>into[j] = 0 + rows[0, j] + rows[1, j] + … in row order (rows.Length a multiple of into.Length).</summary>
    public static void SumRows<T>(ReadOnlySpan<T> rows, Span<T> into) where T : unmanaged, INumberBase<T> =>
        SumColumns(rows, into, 0, into.Length);

    /// <summary>
    /// <see cref="SumRows{T}(ReadOnlySpan{T}, Span{T})"/> on up to <paramref name="threads"/> threads, each summing a block
    /// of columns, when the rows hold at least 128 KB and each block at least 64 columns. Blocks start on multiples of 64
    /// columns, so every column goes through the same vector code as in one call and gets the same value. A layer whose
    /// products split its outputs across threads so gives each thread the columns of ∂ℓ/∂y it wrote.
    /// </summary>
    public static unsafe void SumRows<T>(ReadOnlySpan<T> rows, Span<T> into, int threads) where T : unmanaged, INumberBase<T>
    {
        int width = into.Length;
        if (threads <= 1 || (long)rows.Length * sizeof(T) < 128 * 1024 || width < ParallelJob.Align * threads) { SumRows(rows, into); return; }
        fixed (T* pr = rows) fixed (T* pi = into) ColumnSumJob<T>.Run(pr, rows.Length / width, pi, width, threads);
    }

    /// <summary>into[j] for j in [first, last) only; a range starting on a multiple of 64 runs the same code per column as the whole row.</summary>
    private static void SumColumns<T>(ReadOnlySpan<T> rows, Span<T> into, int first, int last) where T : unmanaged, INumberBase<T>
    {
        int width = into.Length;
        if (width == 0) return;
        int count = rows.Length / width, j = first, w = Vector256<T>.Count;
        ref T r0 = ref MemoryMarshal.GetReference(rows);
        // Eight vectors of columns at a time: eight independent add chains instead of one, so the sum runs at the
        // loads' speed instead of the adds' latency. Each column is still 0 + rows[0, j] + rows[1, j] + … in row order.
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= last - 8 * w; j += 8 * w)
            {
                Vector256<T> s0 = Vector256<T>.Zero, s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
                for (int i = 0; i < count; i++)
                {
                    ref T row = ref Unsafe.Add(ref r0, i * width + j);
                    s0 += Vector256.LoadUnsafe(ref row); s1 += Vector256.LoadUnsafe(ref row, (nuint)w);
                    s2 += Vector256.LoadUnsafe(ref row, (nuint)(2 * w)); s3 += Vector256.LoadUnsafe(ref row, (nuint)(3 * w));
                    s4 += Vector256.LoadUnsafe(ref row, (nuint)(4 * w)); s5 += Vector256.LoadUnsafe(ref row, (nuint)(5 * w));
                    s6 += Vector256.LoadUnsafe(ref row, (nuint)(6 * w)); s7 += Vector256.LoadUnsafe(ref row, (nuint)(7 * w));
                }
                var to = into.Slice(j, 8 * w);
                s0.CopyTo(to); s1.CopyTo(to[w..]); s2.CopyTo(to[(2 * w)..]); s3.CopyTo(to[(3 * w)..]);
                s4.CopyTo(to[(4 * w)..]); s5.CopyTo(to[(5 * w)..]); s6.CopyTo(to[(6 * w)..]); s7.CopyTo(to[(7 * w)..]);
            }
            for (; j <= last - w; j += w)
            {
                var sum = Vector256<T>.Zero;
                for (int i = 0; i < count; i++) sum += Vector256.LoadUnsafe(ref r0, (nuint)(i * width + j));
                sum.CopyTo(into.Slice(j, w));
            }
        }
        if (Vector128.IsHardwareAccelerated)
            for (; j <= last - Vector128<T>.Count; j += Vector128<T>.Count)
            {
                var sum = Vector128<T>.Zero;
                for (int i = 0; i < count; i++) sum += Vector128.LoadUnsafe(ref r0, (nuint)(i * width + j));
                sum.CopyTo(into.Slice(j, Vector128<T>.Count));
            }
        for (; j < last; j++)
        {
            T sum = T.Zero;
            for (int i = 0; i < count; i++) sum += Unsafe.Add(ref r0, i * width + j);
            into[j] = sum;
        }
    }

    /// <summary>Column sums split into one block of columns per thread; reused per calling thread, allocation-free.</summary>
    private sealed unsafe class ColumnSumJob<T> : ParallelJob where T : unmanaged, INumberBase<T>
    {
        [ThreadStatic] private static ColumnSumJob<T>? _cached;
        private T* _rows, _into;
        private int _count, _width, _parts;

        public static void Run(T* rows, int count, T* into, int width, int threads)
        {
            var job = _cached ??= new ColumnSumJob<T>();
            job._rows = rows; job._into = into;
            (job._count, job._width, job._parts) = (count, width, threads);
            WorkerPool.Run(job, threads, threads);
        }

        public override bool KeepsBlocksOnThreads => true;

        public override void RunPart(int part)
        {
            var (first, last) = AlignedRange(_width, part, _parts);
            if (last > first) SumColumns(new ReadOnlySpan<T>(_rows, _count * _width), new Span<T>(_into, _width), first, last);
        }
    }

    /// <summary>Asks the CPU to bring a short row (its first and last cache line) into the cache; no effect on any value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch<T>(ReadOnlySpan<T> row) where T : unmanaged
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || row.IsEmpty) return;
        ref T r0 = ref MemoryMarshal.GetReference(row);
        System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref r0));
        System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref r0, row.Length - 1)));
    }

    /// <summary>Copies a short row inline (a Memmove call per row of a few values dominated gathering batches).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyShort<T>(ReadOnlySpan<T> source, Span<T> destination) where T : unmanaged
    {
        if (destination.Length < source.Length) throw new ArgumentException($"RowOps.CopyShort: {source.Length} values into {destination.Length}");
        int i = 0, w = Vector256<T>.Count;
        ref T s0 = ref MemoryMarshal.GetReference(source), d0 = ref MemoryMarshal.GetReference(destination);
        for (; i <= source.Length - w; i += w) Vector256.LoadUnsafe(ref s0, (nuint)i).StoreUnsafe(ref d0, (nuint)i);
        for (; i < source.Length; i++) Unsafe.Add(ref d0, i) = Unsafe.Add(ref s0, i);
    }

    /// <summary>
    /// into[i] ← into[i] + a·x[i], with a separate multiply and add (no FMA), so every element is what the scalar
    /// expression gives whatever the vector width (a coupled decay term added to a gradient).
    /// </summary>
    public static void AddScaled<T>(Span<T> into, ReadOnlySpan<T> x, T a) where T : unmanaged, INumberBase<T> =>
        Update(into, x, new ScaledAdd<T>(a), nameof(AddScaled));

    /// <summary>
    /// The plain SGD step θ ← θ − lr·(g + wd·θ) (coupled weight decay), elementwise with separate multiplies and adds
    /// (no FMA), so every element is what the scalar expression gives whatever the vector width: the form the charge
    /// identity (docs/experiments/noise-equilibrium.md#charge-identity) is stated for. The GEMM epilogue that fuses the
    /// step into a weight-gradient product (<see cref="Gemm.MultiplyThenSgd{T}"/>) computes the same expression.
    /// </summary>
    public static void SgdStep<T>(ReadOnlySpan<T> g, Span<T> theta, T lr, T wd) where T : unmanaged, INumberBase<T> =>
        Update(theta, g, new ScaledCoupledSgd<T>(lr, wd, T.One), nameof(SgdStep)); // 1·g is g exactly

    /// <summary>
    /// <see cref="SgdStep{T}(ReadOnlySpan{T}, Span{T}, T, T)"/> with the gradient scaled first, θ ← θ − lr·(c·g + wd·θ), by the
    /// same separate operations (with c = 1 the same values as the unscaled step): a plastic synapse's outer-product rule.
    /// </summary>
    public static void ScaledSgdStep<T>(ReadOnlySpan<T> g, Span<T> theta, T lr, T wd, T c) where T : unmanaged, INumberBase<T> =>
        Update(theta, g, new ScaledCoupledSgd<T>(lr, wd, c), nameof(ScaledSgdStep));

    /// <summary>An elementwise update into[i] ← f(into[i], x[i]), written once for vectors and once for scalars.</summary>
    private interface IUpdate<T> where T : unmanaged, INumberBase<T>
    {
        Vector256<T> Apply(Vector256<T> into, Vector256<T> x);
        T Apply(T into, T x);
    }

    private readonly struct ScaledAdd<T>(T a) : IUpdate<T> where T : unmanaged, INumberBase<T>
    {
        private readonly Vector256<T> _a = Vector256.Create(a);
        public Vector256<T> Apply(Vector256<T> into, Vector256<T> x) => into + _a * x;
        public T Apply(T into, T x) => into + a * x;
    }

    private readonly struct ScaledCoupledSgd<T>(T lr, T wd, T c) : IUpdate<T> where T : unmanaged, INumberBase<T>
    {
        private readonly Vector256<T> _lr = Vector256.Create(lr), _wd = Vector256.Create(wd), _c = Vector256.Create(c);
        public Vector256<T> Apply(Vector256<T> theta, Vector256<T> g) => theta - _lr * (_c * g + _wd * theta);
        public T Apply(T theta, T g) => theta - lr * (c * g + wd * theta);
    }

    /// <summary>Applies <paramref name="op"/> to every element of <paramref name="into"/> with the matching element of <paramref name="x"/>.</summary>
    private static void Update<T, TOp>(Span<T> into, ReadOnlySpan<T> x, TOp op, string caller)
        where T : unmanaged, INumberBase<T> where TOp : struct, IUpdate<T>
    {
        if (x.Length < into.Length) throw new ArgumentException($"RowOps.{caller}: {x.Length} values for {into.Length}");
        int i = 0;
        ref T d0 = ref MemoryMarshal.GetReference(into);
        ref T x0 = ref MemoryMarshal.GetReference(x);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= into.Length - Vector256<T>.Count; i += Vector256<T>.Count)
                op.Apply(Vector256.LoadUnsafe(ref d0, (nuint)i), Vector256.LoadUnsafe(ref x0, (nuint)i)).StoreUnsafe(ref d0, (nuint)i);
        for (; i < into.Length; i++) Unsafe.Add(ref d0, i) = op.Apply(Unsafe.Add(ref d0, i), Unsafe.Add(ref x0, i));
    }
}
