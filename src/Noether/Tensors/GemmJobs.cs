using System.Numerics;

namespace Noether.Tensors;

/// <summary>
/// One GEMM split across threads into whole column panels (or whole row tiles when there are too few
/// panels). Parts never split a sum, so the result is bit-identical to one thread. There are up to four
/// parts per thread, so a thread that starts late (a worker being woken) leaves parts for the others
/// (bench (b) with 2 threads: typically 1.32–1.38 ms against 1.44–1.50 with one part per thread, at the cost of
/// packing A once per part). One instance per calling thread is reused, so a parallel GEMM allocates nothing.
/// </summary>
internal sealed class GemmJob<T> : ParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static GemmJob<T>? _cached;

    private VectorWidth _width;
    private GemmProblem<T> _problem;
    private int _parts, _tiles, _tileSize;
    private bool _byColumns;

    /// <summary>
    /// Runs the problem on up to <paramref name="threads"/> threads. With <paramref name="rowBlocks"/> (and at least one
    /// row tile per thread) each thread takes one block of whole rows instead: every part of a row split packs all of
    /// op(B), so there is one part per thread.
    /// </summary>
    public static void Run(VectorWidth width, in GemmProblem<T> problem, int threads, bool rowBlocks = false)
    {
        var job = _cached ??= new GemmJob<T>();
        int nr = BlockedGemm.TileColumns<T>(width), mr = BlockedGemm.TileRows<T>(width);
        int panels = (problem.N + nr - 1) / nr, rowTiles = (problem.M + mr - 1) / mr;
        job._width = width;
        job._problem = problem;
        rowBlocks &= rowTiles >= threads;
        job._byColumns = !rowBlocks && (panels >= threads || panels >= rowTiles);
        job._tiles = job._byColumns ? panels : rowTiles;
        job._tileSize = job._byColumns ? nr : mr;
        job._parts = Math.Min(rowBlocks ? threads : 4 * threads, job._tiles);
        WorkerPool.Run(job, job._parts, threads);
    }

    public override bool KeepsBlocksOnThreads => true;

    public override void RunPart(int part)
    {
        // Part t gets tiles [t·tiles/parts, (t+1)·tiles/parts).
        int first = (int)((long)part * _tiles / _parts) * _tileSize, last = (int)((long)(part + 1) * _tiles / _parts) * _tileSize;
        if (_byColumns) BlockedGemm.Run(_width, _problem, 0, _problem.M, first, Math.Min(last, _problem.N));
        else BlockedGemm.Run(_width, _problem, first, Math.Min(last, _problem.M), 0, _problem.N);
    }
}

/// <summary>A population's independent GEMMs, one member per part; reused per calling thread, allocation-free.</summary>
internal sealed class BatchedGemmJob<T> : ParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static BatchedGemmJob<T>? _cached;

    private VectorWidth _width;
    private GemmProblem<T> _problem;
    private int _strideA, _strideB, _strideC;

    public static void Run(VectorWidth width, int members, in GemmProblem<T> problem, int strideA, int strideB, int strideC, int threads)
    {
        var job = _cached ??= new BatchedGemmJob<T>();
        job._width = width;
        job._problem = problem;
        job._strideA = strideA; job._strideB = strideB; job._strideC = strideC;
        WorkerPool.Run(job, members, threads);
    }

    public override bool KeepsBlocksOnThreads => true;

    public override void RunPart(int part)
    {
        var member = _problem.Member(part, _strideA, _strideB, _strideC);
        BlockedGemm.Run(_width, member, 0, member.M, 0, member.N);
    }
}
